import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: scripts work from any working directory. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** wrangler's default local state, shared by `wrangler dev` and the scripts. */
export const DEV_STATE = `${ROOT}/.wrangler/state`;
export const WRANGLER_BIN = process.env.BANGJIAO_WRANGLER ?? `${ROOT}/node_modules/.bin/wrangler`;
export const TSX_BIN = `${ROOT}/node_modules/.bin/tsx`;
