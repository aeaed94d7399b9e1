/** Command-line flags for the scripts (`npm run x -- --flag value`). */
import { parseArgs } from 'node:util';

export type FlagSpec = Record<string, { type: 'string' | 'boolean'; short?: string }>;
type Values<T extends FlagSpec> = { [K in keyof T]?: T[K]['type'] extends 'string' ? string : boolean };

/** Parses flags; prints `usage` and exits 2 on an unknown or malformed one (0 on --help). */
export function flags<T extends FlagSpec>(spec: T, usage: string): Values<T> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      options: { ...spec, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }) as {
      values: Record<string, string | boolean | undefined>;
    });
  } catch (err) {
    console.error(`${err instanceof Error ? err.message : String(err)}\n\n${usage}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  return values as Values<T>;
}
