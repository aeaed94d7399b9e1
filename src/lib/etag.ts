/**
 * ETags of versioned records (ADR 0008): `"v7"` for version 7. A record kind may use its own
 * letter (profiles use `p`) so a tag of one kind never matches another.
 */
export const etag = (version: number, kind = 'v') => `"${kind}${version}"`;

/** The version an If-Match names; -1 for a tag we never issued (it matches nothing); null when absent. */
export function parseIfMatch(header: string | undefined, kind = 'v'): number | null {
  if (!header) return null;
  const m = new RegExp(`^(?:W/)?"${kind}(\\d+)"$`).exec(header.trim());
  return m ? Number(m[1]) : -1;
}
