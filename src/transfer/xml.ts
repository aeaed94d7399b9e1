/**
 * Just enough XML for the SpreadsheetML parts of an .xlsx: attributes, text with entities, and
 * escaping. The parts are machine-written and flat, so regular expressions over tags suffice;
 * element names may carry a namespace prefix (`x:row`), which some generators write.
 */

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Text content: XML entities, then OOXML's `_xHHHH_` escapes (e.g. `_x000D_` for a carriage return). */
export function xmlText(raw: string): string {
  return raw
    .replace(/&(#x[0-9a-fA-F]+|#\d+|lt|gt|amp|quot|apos);/g, (_, e: string) =>
      e[0] === '#'
        ? String.fromCodePoint(e[1] === 'x' ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1)))
        : ENTITIES[e]!,
    )
    .replace(/_x([0-9a-fA-F]{4})_/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

export function attributes(raw: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of raw.matchAll(/([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
    out[m[1]!] = xmlText(m[2] ?? m[3] ?? '');
  }
  return out;
}

/** Every element `name` (any prefix): its attributes and inner XML (empty for `<name/>`). */
export function* elements(xml: string, name: string): Generator<{ attrs: string; inner: string }> {
  const re = new RegExp(
    `<(?:[\\w.-]+:)?${name}(\\s[^>]*?)?(?:/>|>([\\s\\S]*?)</(?:[\\w.-]+:)?${name}>)`,
    'g',
  );
  for (const m of xml.matchAll(re)) yield { attrs: m[1] ?? '', inner: m[2] ?? '' };
}

/** Characters XML 1.0 cannot carry at all (most C0 controls): dropped from written text. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
const INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

export const escapeXml = (s: string) =>
  s
    .replace(INVALID, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
