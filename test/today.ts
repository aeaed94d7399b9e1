/**
 * The suite's "today" (src/lib/time.ts): fixed, so every run gives the same result whatever the
 * date. `BANGJIAO_TODAY` moves it; scripts/test-days.ts runs the date-sensitive suites again on
 * the awkward days (a month's last day, 29 February, 31 December, a Sunday).
 */
export const TEST_TODAY = process.env.BANGJIAO_TODAY ?? '2026-12-07';
