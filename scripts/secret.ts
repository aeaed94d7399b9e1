/**
 * `npm run --silent secret -- <kind>` prints a value for `wrangler secret put` on stdout:
 *
 *   jwk                        JWT_PRIVATE_KEYS with one new ES256 key: [new]
 *   jwk --prepend-to keys.json rotation: [new, …the keys in keys.json]
 *   jwk --retire keys.json     after rotation: only the first (signing) key of keys.json
 *   random                     PASSWORD_PEPPER or DATA_KEY_SECRET (32 random bytes, base64url)
 *
 * e.g. `npm run --silent secret -- jwk | npx wrangler secret put JWT_PRIVATE_KEYS`
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { generateSigningJwk, randomSecret } from './lib/secrets.ts';

const USAGE = `Usage: npm run --silent secret -- jwk [--prepend-to <file> | --retire <file>] [--kid-prefix <p>]
       npm run --silent secret -- random`;

function fail(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
}

let parsed: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    allowPositionals: true,
    options: {
      'prepend-to': { type: 'string' },
      retire: { type: 'string' },
      'kid-prefix': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
try {
  parsed = parse();
} catch (err) {
  fail(err instanceof Error ? err.message : String(err));
}
const { values, positionals } = parsed;
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

function readKeys(file: string): { kid?: string }[] {
  const keys: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!Array.isArray(keys) || keys.length === 0) fail(`${file} must hold the JSON array of JWT_PRIVATE_KEYS`);
  return keys as { kid?: string }[];
}

switch (positionals[0]) {
  case 'jwk': {
    if (values.retire) {
      const [first] = readKeys(values.retire);
      console.log(JSON.stringify([first]));
      break;
    }
    const key = await generateSigningJwk(values['kid-prefix'] ?? 'k');
    const keep = values['prepend-to'] ? readKeys(values['prepend-to']) : [];
    if (keep.some((k) => k.kid === key.kid)) fail('kid collision: run again');
    console.log(JSON.stringify([key, ...keep]));
    break;
  }
  case 'random':
    console.log(randomSecret());
    break;
  default:
    fail(positionals[0] ? `Unknown kind "${positionals[0]}"` : 'Which secret? jwk or random');
}
