/**
 * The API reference viewer (/docs) loads /vendor/scalar.js from our own origin: copied from
 * node_modules into public/vendor (git-ignored), whence Cloudflare's static assets serve it.
 */
import { copyFileSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { ROOT } from './paths.ts';

const SOURCE = `${ROOT}/node_modules/@scalar/api-reference/dist/browser/standalone.js`;
const TARGET = `${ROOT}/public/vendor/scalar.js`;

/** Copies the viewer when missing or not the installed version's; returns whether it copied. */
export function ensureVendorAssets(): boolean {
  if (!existsSync(SOURCE)) throw new Error(`${SOURCE} is missing: run npm ci`);
  // npm gives every installed file the same old mtime, so compare sizes to notice an upgrade.
  if (existsSync(TARGET) && statSync(TARGET).size === statSync(SOURCE).size) return false;
  mkdirSync(`${ROOT}/public/vendor`, { recursive: true });
  copyFileSync(SOURCE, TARGET);
  return true;
}
