/**
 * `npm run test:days`: the date-sensitive suites again, each on an awkward "today" (the clock
 * seam of src/lib/time.ts, set through BANGJIAO_TODAY → vitest.config.ts → the TODAY binding).
 * A test that holds on the fixed day but not on these reads the date somewhere it should not,
 * or assumes something of the day (that the month's end is near, that it is a weekday…).
 */
import { spawnSync } from 'node:child_process';
import { ROOT } from './lib/paths.ts';

export const AWKWARD_DAYS = [
  { today: '2026-11-30', why: "a month's last day" },
  { today: '2028-02-29', why: '29 February' },
  { today: '2026-12-31', why: '31 December' },
  { today: '2027-01-10', why: 'a Sunday, early in a month' },
];

/** Compliance, worklists, ledgers, background jobs and the pages that show them. */
export const DATE_SENSITIVE = ['src/compliance', 'src/ledgers', 'src/jobs', 'src/pages'];

const only = process.argv.slice(2);
const days = only.length ? AWKWARD_DAYS.filter((d) => only.includes(d.today)) : AWKWARD_DAYS;
const failed: string[] = [];
for (const day of days) {
  console.log(`\ntest:days: ${day.today} (${day.why})`);
  const run = spawnSync('npx', ['vitest', 'run', ...DATE_SENSITIVE], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, BANGJIAO_TODAY: day.today },
  });
  if (run.status !== 0) failed.push(day.today);
}
if (failed.length) {
  console.error(`\ntest:days: failed on ${failed.join(', ')}`);
  process.exit(1);
}
console.log(`\ntest:days: passed on ${days.map((d) => d.today).join(', ')}`);
