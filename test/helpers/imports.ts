/** Import uploads for tests; the rosters themselves are in roster.ts. */
import { exports } from 'cloudflare:workers';
import { XLSX_MIME } from '../../src/transfer/table';
import { utf8WithBom } from '../../src/transfer/text';
import { BASE, type Call } from './http';

export * from './roster';

/** Uploads a file as the raw body (CSV or .xlsx), with the options in the query. */
export async function upload(
  token: string,
  kind: string,
  file: Uint8Array | string,
  query: Record<string, string> = {},
  county = 'deqing',
): Promise<Call> {
  const bytes = typeof file === 'string' ? utf8WithBom(file) : file;
  const isXlsx = bytes[0] === 0x50 && bytes[1] === 0x4b;
  const qs = new URLSearchParams({ kind, ...query }).toString();
  const res = await exports.default.fetch(
    new Request(`${BASE}/api/v1/counties/${county}/imports?${qs}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': isXlsx ? XLSX_MIME : 'text/csv' },
      body: bytes,
    }),
  );
  const text = await res.text();
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  return { status: res.status, headers: res.headers, body, text };
}
