/**
 * Turning an uploaded text file into a string. Files from Chinese Excel arrive in several
 * encodings: UTF-8 with a BOM ("CSV UTF-8"), plain "CSV" saved as GB18030/GBK with no BOM, and
 * "Unicode text" as UTF-16LE with a BOM. A file without a BOM that is not valid UTF-8 is read
 * as GB18030 (a superset of GBK and GB2312): valid UTF-8 is very unlikely to come from a GBK
 * file with Chinese in it, and the reverse mistake would show as mojibake in the dry run.
 */

export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'gb18030';

export function decodeText(bytes: Uint8Array): { text: string; encoding: TextEncoding } {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return { text: new TextDecoder('utf-8').decode(bytes.subarray(3)), encoding: 'utf-8' };
  }
  if (bytes[0] === 0xff && bytes[1] === 0xfe) {
    return { text: new TextDecoder('utf-16le').decode(bytes.subarray(2)), encoding: 'utf-16le' };
  }
  if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    return { text: new TextDecoder('utf-16be').decode(bytes.subarray(2)), encoding: 'utf-16be' };
  }
  try {
    return {
      text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes),
      encoding: 'utf-8',
    };
  } catch {
    return { text: new TextDecoder('gb18030').decode(bytes), encoding: 'gb18030' };
  }
}

/** UTF-8 with a byte-order mark: what makes Excel open a CSV with Chinese text correctly. */
export function utf8WithBom(text: string): Uint8Array {
  const body = new TextEncoder().encode(text);
  const out = new Uint8Array(body.length + 3);
  out.set([0xef, 0xbb, 0xbf]);
  out.set(body, 3);
  return out;
}
