/** Vite's `?raw` imports (tests read committed text files, e.g. docs/samples, this way). */
declare module '*?raw' {
  const content: string;
  export default content;
}
