/**
 * The EVIDENCE bucket of the self-hosted runtime: the part of R2's interface the app uses
 * (put, get, head, delete, list with prefix, cursor and delimiter), with files on disk under
 * DATA_DIR/evidence (ADR 0900). The app encrypts evidence before it stores it; this stores bytes.
 *
 * Layout: `objects/<2 hex>/<sha-256 of the key>` holds an object's bytes (written to a temporary
 * file, flushed, then renamed into place, so a reader never sees half a file); `index.sqlite`
 * holds each key's size, etag (MD5, as R2's for a single-part upload), version, upload time and
 * metadata, in key order (UTF-8 byte order, as R2 lists). Deleting removes the row, then the file.
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

type IndexRow = {
  key: string;
  file: string;
  size: number;
  etag: string;
  version: string;
  uploaded: number;
  http_metadata: string | null;
  custom_metadata: string | null;
};

const LIST_MAX = 1000;
const KEY_MAX_BYTES = 1024;

const HTTP_FIELDS: [keyof R2HTTPMetadata, string][] = [
  ['contentType', 'content-type'],
  ['contentLanguage', 'content-language'],
  ['contentDisposition', 'content-disposition'],
  ['contentEncoding', 'content-encoding'],
  ['cacheControl', 'cache-control'],
];

function httpMetadataOf(value: R2HTTPMetadata | Headers | undefined): R2HTTPMetadata {
  if (!value) return {};
  if (value instanceof Headers) {
    const out: R2HTTPMetadata = {};
    for (const [field, header] of HTTP_FIELDS) {
      const v = value.get(header);
      if (v !== null) (out as Record<string, string>)[field] = v;
    }
    const expires = value.get('expires');
    if (expires) out.cacheExpiry = new Date(expires);
    return out;
  }
  return { ...value };
}

async function bytesOf(
  value: ReadableStream | ArrayBuffer | ArrayBufferView | string | null | Blob,
): Promise<Uint8Array> {
  if (value === null) return new Uint8Array(0);
  if (typeof value === 'string') return new TextEncoder().encode(value);
  if (value instanceof ArrayBuffer) return new Uint8Array(value.slice(0));
  if (ArrayBuffer.isView(value))
    return new Uint8Array(value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength));
  if (value instanceof Blob) return new Uint8Array(await value.arrayBuffer());
  return new Uint8Array(await new Response(value).arrayBuffer());
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const toArrayBuffer = (b: Uint8Array): ArrayBuffer =>
  b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;

function digestOption(value: ArrayBuffer | ArrayBufferView | string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value.toLowerCase();
  if (value instanceof ArrayBuffer) return hex(new Uint8Array(value));
  return hex(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
}

class DiskObject implements R2Object {
  readonly key: string;
  readonly version: string;
  readonly size: number;
  readonly etag: string;
  readonly httpEtag: string;
  readonly checksums: R2Checksums;
  readonly uploaded: Date;
  readonly httpMetadata?: R2HTTPMetadata;
  readonly customMetadata?: Record<string, string>;
  readonly range?: R2Range;
  readonly storageClass = 'Standard';

  constructor(
    row: IndexRow,
    include: { http: boolean; custom: boolean } = { http: true, custom: true },
    range?: R2Range,
  ) {
    this.key = row.key;
    this.version = row.version;
    this.size = row.size;
    this.etag = row.etag;
    this.httpEtag = `"${row.etag}"`;
    const md5 = Buffer.from(row.etag, 'hex');
    this.checksums = {
      md5: toArrayBuffer(md5),
      toJSON: () => ({ md5: row.etag }),
    };
    this.uploaded = new Date(row.uploaded);
    if (include.http) {
      const meta = row.http_metadata
        ? (JSON.parse(row.http_metadata) as R2HTTPMetadata & { cacheExpiry?: string })
        : {};
      this.httpMetadata = {
        ...meta,
        ...(meta.cacheExpiry ? { cacheExpiry: new Date(meta.cacheExpiry) } : {}),
      } as R2HTTPMetadata;
    }
    if (include.custom)
      this.customMetadata = row.custom_metadata
        ? (JSON.parse(row.custom_metadata) as Record<string, string>)
        : {};
    if (range) this.range = range;
  }

  writeHttpMetadata(headers: Headers): void {
    for (const [field, header] of HTTP_FIELDS) {
      const v = this.httpMetadata?.[field];
      if (typeof v === 'string') headers.set(header, v);
    }
    if (this.httpMetadata?.cacheExpiry) headers.set('expires', this.httpMetadata.cacheExpiry.toUTCString());
  }
}

class DiskObjectBody extends DiskObject implements R2ObjectBody {
  readonly #bytes: Uint8Array;
  #used = false;

  constructor(row: IndexRow, bytes: Uint8Array, range?: R2Range) {
    super(row, undefined, range);
    this.#bytes = bytes;
  }

  #take(): Uint8Array {
    if (this.#used) throw new TypeError('Body has already been used');
    this.#used = true;
    return this.#bytes;
  }

  get body(): ReadableStream {
    const bytes = this.#take();
    return new ReadableStream({
      start(controller) {
        controller.enqueue(bytes);
        controller.close();
      },
    });
  }
  get bodyUsed() {
    return this.#used;
  }
  async arrayBuffer() {
    return toArrayBuffer(this.#take());
  }
  async bytes() {
    return new Uint8Array(this.#take());
  }
  async text() {
    return new TextDecoder().decode(this.#take());
  }
  async json<T>() {
    return JSON.parse(await this.text()) as T;
  }
  async blob() {
    return new Blob([toArrayBuffer(this.#take())]);
  }
}

function conditionHolds(row: IndexRow | undefined, onlyIf: R2Conditional | Headers | undefined): boolean {
  if (!onlyIf) return true;
  const c: R2Conditional =
    onlyIf instanceof Headers
      ? {
          ...(onlyIf.get('if-match') ? { etagMatches: onlyIf.get('if-match')! } : {}),
          ...(onlyIf.get('if-none-match') ? { etagDoesNotMatch: onlyIf.get('if-none-match')! } : {}),
          ...(onlyIf.get('if-unmodified-since')
            ? { uploadedBefore: new Date(onlyIf.get('if-unmodified-since')!) }
            : {}),
          ...(onlyIf.get('if-modified-since')
            ? { uploadedAfter: new Date(onlyIf.get('if-modified-since')!) }
            : {}),
        }
      : onlyIf;
  const bare = (e: string) => e.replace(/^W\//, '').replace(/"/g, '');
  const etags = (list: string) => list.split(',').map((e) => bare(e.trim()));
  if (c.etagMatches !== undefined) {
    if (!row) return false;
    const wanted = etags(c.etagMatches);
    if (!wanted.includes('*') && !wanted.includes(row.etag)) return false;
  }
  if (c.etagDoesNotMatch !== undefined && row) {
    const unwanted = etags(c.etagDoesNotMatch);
    if (unwanted.includes('*') || unwanted.includes(row.etag)) return false;
  }
  if (row && c.uploadedBefore && !(row.uploaded < c.uploadedBefore.getTime())) return false;
  if (row && c.uploadedAfter && !(row.uploaded > c.uploadedAfter.getTime())) return false;
  return true;
}

function rangeOf(
  range: R2Range | Headers | undefined,
  size: number,
): { offset: number; length: number } | undefined {
  if (!range) return undefined;
  let r: R2Range;
  if (range instanceof Headers) {
    const m = range.get('range')?.match(/^bytes=(\d*)-(\d*)$/);
    if (!m) return undefined;
    if (m[1] === '') r = { suffix: Number(m[2]) };
    else r = { offset: Number(m[1]), ...(m[2] !== '' ? { length: Number(m[2]) - Number(m[1]) + 1 } : {}) };
  } else r = range;
  if ('suffix' in r && r.suffix !== undefined) {
    const length = Math.min(size, r.suffix);
    return { offset: size - length, length };
  }
  const { offset = 0, length } = r as { offset?: number; length?: number };
  if (offset > size) throw new RangeError('InvalidRange: the range starts past the end of the object');
  return { offset, length: Math.min(length ?? size - offset, size - offset) };
}

type Cursor = { after: string; skip?: string };
const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify(c)).toString('base64url');
const decodeCursor = (s: string): Cursor => {
  try {
    const c = JSON.parse(Buffer.from(s, 'base64url').toString()) as Cursor;
    if (typeof c.after === 'string') return c;
  } catch {
    // fall through
  }
  throw new Error('list: invalid cursor');
};

export class DiskBucket implements R2Bucket {
  readonly dir: string;
  readonly #index: DatabaseSync;

  constructor(dir: string) {
    this.dir = dir;
    mkdirSync(join(dir, 'objects'), { recursive: true });
    this.#index = new DatabaseSync(join(dir, 'index.sqlite'), { timeout: 5_000 });
    this.#index.exec('PRAGMA journal_mode = WAL');
    this.#index.exec('PRAGMA synchronous = FULL');
    this.#index.exec(`CREATE TABLE IF NOT EXISTS objects (
      key TEXT PRIMARY KEY,
      file TEXT NOT NULL,
      size INTEGER NOT NULL,
      etag TEXT NOT NULL,
      version TEXT NOT NULL,
      uploaded INTEGER NOT NULL,
      http_metadata TEXT,
      custom_metadata TEXT
    ) WITHOUT ROWID`);
  }

  /** The index, for backups. */
  get index(): DatabaseSync {
    return this.#index;
  }

  close(): void {
    if (this.#index.isOpen) this.#index.close();
  }

  #row(key: string): IndexRow | undefined {
    return this.#index.prepare('SELECT * FROM objects WHERE key = ?').get(key) as IndexRow | undefined;
  }

  #checkKey(key: string) {
    if (typeof key !== 'string' || key.length === 0 || Buffer.byteLength(key) > KEY_MAX_BYTES)
      throw new TypeError(`an object key is 1 to ${KEY_MAX_BYTES} bytes of UTF-8`);
  }

  async head(key: string): Promise<R2Object | null> {
    this.#checkKey(key);
    const row = this.#row(key);
    return row ? new DiskObject(row) : null;
  }

  get(
    key: string,
    options: R2GetOptions & { onlyIf: R2Conditional | Headers },
  ): Promise<R2ObjectBody | R2Object | null>;
  get(key: string, options?: R2GetOptions): Promise<R2ObjectBody | null>;
  async get(key: string, options?: R2GetOptions): Promise<R2ObjectBody | R2Object | null> {
    this.#checkKey(key);
    const row = this.#row(key);
    if (!row) return null;
    if (!conditionHolds(row, options?.onlyIf)) return new DiskObject(row);
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(join(this.dir, row.file));
    } catch (e) {
      // Deleted between the index read and the file read.
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
    const range = rangeOf(options?.range, row.size);
    if (range)
      return new DiskObjectBody(row, bytes.subarray(range.offset, range.offset + range.length), range);
    return new DiskObjectBody(row, bytes);
  }

  put(
    key: string,
    value: ReadableStream | ArrayBuffer | ArrayBufferView | string | null | Blob,
    options?: R2PutOptions & { onlyIf: R2Conditional | Headers },
  ): Promise<R2Object | null>;
  put(
    key: string,
    value: ReadableStream | ArrayBuffer | ArrayBufferView | string | null | Blob,
    options?: R2PutOptions,
  ): Promise<R2Object>;
  async put(
    key: string,
    value: ReadableStream | ArrayBuffer | ArrayBufferView | string | null | Blob,
    options: R2PutOptions = {},
  ): Promise<R2Object | null> {
    this.#checkKey(key);
    const bytes = await bytesOf(value);
    if (!conditionHolds(this.#row(key), options.onlyIf)) return null;
    const md5 = createHash('md5').update(bytes).digest('hex');
    const wantMd5 = digestOption(options.md5);
    if (wantMd5 !== undefined && wantMd5 !== md5)
      throw new Error('put: The Content-MD5 you specified did not match what we received.');
    const wantSha256 = digestOption(options.sha256);
    if (wantSha256 !== undefined && wantSha256 !== createHash('sha256').update(bytes).digest('hex'))
      throw new Error('put: The SHA-256 checksum you specified did not match what we received.');
    const name = createHash('sha256').update(key).digest('hex');
    const file = join('objects', name.slice(0, 2), name);
    const target = join(this.dir, file);
    mkdirSync(join(this.dir, 'objects', name.slice(0, 2)), { recursive: true });
    const temp = `${target}.${randomUUID()}.tmp`;
    const fd = openSync(temp, 'w', 0o600);
    try {
      writeSync(fd, bytes);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, target);
    const row: IndexRow = {
      key,
      file,
      size: bytes.byteLength,
      etag: md5,
      version: randomUUID().replace(/-/g, ''),
      uploaded: Date.now(),
      http_metadata: JSON.stringify(httpMetadataOf(options.httpMetadata)),
      custom_metadata: JSON.stringify(options.customMetadata ?? {}),
    };
    this.#index
      .prepare(
        `INSERT INTO objects (key, file, size, etag, version, uploaded, http_metadata, custom_metadata)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET file = excluded.file, size = excluded.size, etag = excluded.etag,
           version = excluded.version, uploaded = excluded.uploaded, http_metadata = excluded.http_metadata,
           custom_metadata = excluded.custom_metadata`,
      )
      .run(
        row.key,
        row.file,
        row.size,
        row.etag,
        row.version,
        row.uploaded,
        row.http_metadata,
        row.custom_metadata,
      );
    return new DiskObject(row);
  }

  async delete(keys: string | string[]): Promise<void> {
    const list = Array.isArray(keys) ? keys : [keys];
    if (list.length > 1000) throw new Error('delete: at most 1000 keys at once');
    for (const key of list) {
      this.#checkKey(key);
      const row = this.#row(key);
      if (!row) continue;
      this.#index.prepare('DELETE FROM objects WHERE key = ?').run(key);
      rmSync(join(this.dir, row.file), { force: true });
    }
  }

  async list(options: R2ListOptions = {}): Promise<R2Objects> {
    const limit = options.limit ?? LIST_MAX;
    if (!Number.isInteger(limit) || limit < 1 || limit > LIST_MAX)
      throw new Error(`list: limit is 1 to ${LIST_MAX}`);
    const prefix = options.prefix ?? '';
    const delimiter = options.delimiter;
    const include = {
      http: options.include?.includes('httpMetadata') ?? false,
      custom: options.include?.includes('customMetadata') ?? false,
    };
    const cursor = options.cursor ? decodeCursor(options.cursor) : undefined;
    // From the prefix, or strictly after startAfter or the cursor's last key, whichever is later.
    let start = prefix;
    let exclusive = false;
    for (const after of [options.startAfter, cursor?.after]) {
      if (after !== undefined && after >= start) {
        start = after;
        exclusive = true;
      }
    }
    const rows = this.#index
      .prepare(`SELECT * FROM objects WHERE key ${exclusive ? '>' : '>='} ? ORDER BY key`)
      .iterate(start) as IterableIterator<IndexRow>;
    const objects: R2Object[] = [];
    const delimitedPrefixes: string[] = [];
    let skip = cursor?.skip;
    let last: Cursor | undefined;
    let truncated = false;
    for (const row of rows) {
      if (!row.key.startsWith(prefix)) break;
      if (skip && row.key.startsWith(skip)) continue;
      if (objects.length + delimitedPrefixes.length >= limit) {
        truncated = true;
        break;
      }
      const at = delimiter ? row.key.indexOf(delimiter, prefix.length) : -1;
      if (delimiter && at >= 0) {
        const common = row.key.slice(0, at + delimiter.length);
        delimitedPrefixes.push(common);
        skip = common;
        last = { after: row.key, skip: common };
      } else {
        objects.push(new DiskObject(row, include));
        last = { after: row.key };
      }
    }
    if (typeof (rows as { return?: () => void }).return === 'function')
      (rows as { return: () => void }).return();
    return truncated && last
      ? { objects, delimitedPrefixes, truncated: true, cursor: encodeCursor(last) }
      : { objects, delimitedPrefixes, truncated: false };
  }

  createMultipartUpload(): Promise<R2MultipartUpload> {
    throw new Error('EVIDENCE on disk: multipart uploads are not supported (the app stores whole files)');
  }

  resumeMultipartUpload(): R2MultipartUpload {
    throw new Error('EVIDENCE on disk: multipart uploads are not supported (the app stores whole files)');
  }
}
