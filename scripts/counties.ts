/**
 * `npm run counties` regenerates the county block of wrangler.toml from counties.json;
 * `npm run counties:check` (part of `npm test`) fails when wrangler.toml is out of date.
 */
import { flags } from './lib/args.ts';
import { readCounties, syncWranglerToml, wranglerTomlIsCurrent } from './lib/counties.ts';

const USAGE = `Usage: npm run counties [-- --check]

Regenerates the "generated county databases" block of wrangler.toml from counties.json.
  --check   change nothing; exit 1 when wrangler.toml is out of date`;

const args = flags({ check: { type: 'boolean' } }, USAGE);

try {
  const counties = readCounties();
  if (args.check) {
    if (!wranglerTomlIsCurrent(counties)) {
      console.error(
        'wrangler.toml is out of date with counties.json: run `npm run counties` and commit both.',
      );
      process.exit(1);
    }
    console.log(`wrangler.toml matches counties.json (${counties.length} counties).`);
  } else {
    const changed = syncWranglerToml(counties);
    console.log(
      changed
        ? `wrangler.toml regenerated: ${counties.length} county databases.`
        : `wrangler.toml already up to date (${counties.length} counties).`,
    );
  }
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
}
