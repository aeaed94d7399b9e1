/**
 * The one check for a redirect target read from a request (the sign-in's `next`, the record
 * form's `back`, the void form's `back`): an open redirect would be a phishing aid, and a target
 * with a newline would fail as a `Location` header (a 500 before this check).
 *
 * Accepted: a path of this site, starting with a single `/`, with nothing a browser or a proxy
 * could read as another host once decoded. Anything else answers null and the caller falls back
 * to its own default.
 */

/** C0 controls (tab, newline…), DEL, and the backslash browsers read as a slash. */
const unsafeChar = (value: string) => {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f || code === 0x5c) return true;
  }
  return false;
};
/** The same, percent-encoded: `/%09/evil.example` must not become `//evil.example` downstream. */
const UNSAFE_ESCAPE = /%(?:[01][0-9a-f]|7f|5c)/i;
/** An escaped slash straight after the leading one, as in `/%2F/evil.example`. */
const ESCAPED_SECOND_SLASH = /^\/%2f/i;

const MAX_LENGTH = 2000;

/**
 * `value` as a same-origin path plus query (e.g. `/c/deqing/supervisees?status=active`), or null.
 * `requestUrl` is the URL of the request the value came with; only its origin is used.
 */
export function safeRedirectPath(value: unknown, requestUrl: string): string | null {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_LENGTH) return null;
  if (!value.startsWith('/') || value.startsWith('//')) return null;
  if (unsafeChar(value) || UNSAFE_ESCAPE.test(value) || ESCAPED_SECOND_SLASH.test(value)) return null;
  let origin: string;
  let url: URL;
  try {
    origin = new URL(requestUrl).origin;
    url = new URL(value, origin);
  } catch {
    return null;
  }
  if (url.origin !== origin) return null;
  const path = `${url.pathname}${url.search}`;
  // The parser may have normalised dot segments (`/./evil`, `/a/..//evil`): check its result too.
  return path.startsWith('/') && !path.startsWith('//') ? path : null;
}
