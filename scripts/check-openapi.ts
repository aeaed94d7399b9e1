/**
 * `npm run lint:openapi` (part of `npm test`): the API document real clients can use (ADR 0801).
 *
 * 1. Builds `/openapi.json` from the app's route definitions (no server) into `.openapi/`.
 * 2. Lints it with Redocly's recommended rules (`redocly.yaml`): any error fails.
 * 3. Generates the TypeScript client types with openapi-typescript, and walks every 2xx JSON body
 *    for what the generated client types as `unknown` (a schema without a type, an open
 *    `additionalProperties`, i.e. a zod `.catchall(z.unknown())`). The operations still answering
 *    such a body are listed in `scripts/openapi-allow.json`; the list only shrinks: a new one
 *    fails, and so does an entry that is no longer needed.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import openapiTS, { astToString } from 'openapi-typescript';
import { createApp } from '../src/app';

type Schema = {
  $ref?: string;
  type?: unknown;
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: boolean | Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  enum?: unknown[];
  const?: unknown;
  not?: Schema;
};
type Doc = {
  paths: Record<
    string,
    Record<
      string,
      { operationId: string; responses?: Record<string, { content?: Record<string, { schema?: Schema }> }> }
    >
  >;
  components?: { schemas?: Record<string, Schema> };
};

const OUT = '.openapi';
const ALLOW = 'scripts/openapi-allow.json';

/** The places in `schema` that a generated client can only type as `unknown`. */
function openPlaces(doc: Doc, schema: Schema | undefined, at = '$', seen = new Set<string>()): string[] {
  if (!schema) return [`${at} (no schema)`];
  if (schema.$ref) {
    const name = schema.$ref.split('/').pop()!;
    if (seen.has(name)) return [];
    seen.add(name);
    return openPlaces(doc, doc.components?.schemas?.[name], name, seen);
  }
  const out: string[] = [];
  const typed =
    schema.type !== undefined ||
    schema.anyOf ||
    schema.oneOf ||
    schema.allOf ||
    schema.enum ||
    'const' in schema ||
    schema.not;
  if (!typed) out.push(`${at}: unknown`);
  const extra = schema.additionalProperties;
  if (extra === true || (typeof extra === 'object' && Object.keys(extra).length === 0))
    out.push(`${at}: open object`);
  else if (typeof extra === 'object') out.push(...openPlaces(doc, extra, `${at}{}`, seen));
  for (const [k, v] of Object.entries(schema.properties ?? {}))
    out.push(...openPlaces(doc, v, `${at}.${k}`, seen));
  if (schema.items) out.push(...openPlaces(doc, schema.items, `${at}[]`, seen));
  for (const s of [...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])])
    out.push(...openPlaces(doc, s, at, seen));
  return out;
}

async function main() {
  const res = await createApp().request('/openapi.json', {}, { ENVIRONMENT: 'development' });
  if (res.status !== 200) throw new Error(`/openapi.json answered ${res.status}`);
  const text = await res.text();
  mkdirSync(OUT, { recursive: true });
  writeFileSync(`${OUT}/openapi.json`, text);

  execFileSync('redocly', ['lint', `${OUT}/openapi.json`, '--format=summary'], {
    stdio: 'inherit',
    env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
  });

  const doc = JSON.parse(text) as Doc;
  writeFileSync(`${OUT}/client.d.ts`, astToString(await openapiTS(doc as never)));

  const open = new Map<string, string[]>();
  for (const ops of Object.values(doc.paths))
    for (const op of Object.values(ops))
      for (const [status, response] of Object.entries(op.responses ?? {})) {
        if (!status.startsWith('2')) continue;
        for (const [type, body] of Object.entries(response.content ?? {}))
          if (type.includes('json')) {
            const places = openPlaces(doc, body.schema);
            if (places.length) open.set(op.operationId, places);
          }
      }
  const allowed = new Set<string>(JSON.parse(readFileSync(ALLOW, 'utf8')) as string[]);
  const added = [...open.keys()].filter((id) => !allowed.has(id));
  const stale = [...allowed].filter((id) => !open.has(id));
  for (const id of added)
    console.error(
      `✗ ${id} answers a body the client can only type as unknown: ${open.get(id)!.slice(0, 3).join('; ')}`,
    );
  for (const id of stale) console.error(`✗ ${id} is complete now: take it off ${ALLOW}`);
  console.log(
    `openapi: ${Object.values(doc.paths).flatMap(Object.keys).length} operations, ${open.size} with an open body (allowed ${allowed.size})`,
  );
  if (added.length || stale.length) process.exit(1);
}

void main().catch((e) => {
  console.error(e);
  process.exit(1);
});
