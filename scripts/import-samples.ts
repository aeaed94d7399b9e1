/**
 * `npx tsx scripts/import-samples.ts` writes docs/samples/ (the sample files of
 * docs/import-formats.md) from src/imports/samples.ts; the .xlsx comes from our own writer.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { sampleFiles } from '../src/imports/samples.ts';
import { ROOT } from './lib/paths.ts';

const dir = `${ROOT}/docs/samples`;
mkdirSync(dir, { recursive: true });
for (const [name, bytes] of Object.entries(sampleFiles())) {
  writeFileSync(`${dir}/${name}`, bytes);
  console.log(`docs/samples/${name} (${bytes.length} bytes)`);
}
