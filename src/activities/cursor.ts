/** Opaque list cursors: a sort key and an id, base64url-encoded JSON. */
import { base64url, fromBase64url } from '../lib/ids';
import { invalid } from '../lib/problem';

export const encodeCursor = (key: string, id: string) =>
  base64url(new TextEncoder().encode(JSON.stringify([key, id])));

export function decodeCursor(cursor: string): [string, string] {
  try {
    const v = JSON.parse(new TextDecoder().decode(fromBase64url(cursor)));
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string') {
      return [v[0], v[1]];
    }
  } catch {
    // not ours: answered below
  }
  throw invalid([{ path: 'cursor', message: 'not a cursor this API issued' }]);
}
