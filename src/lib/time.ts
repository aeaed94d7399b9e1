/**
 * The one place that reads the clock. Everything else receives instants or civil dates as
 * arguments, which is what lets the rules engine and the tests stay deterministic.
 *
 * The seam: outside production a deployment may pin "today" with the `TODAY` variable
 * (`YYYY-MM-DD`). The clock then starts at noon of that day in China (04:00 UTC) when the
 * isolate first sees the variable and runs on in real time from there, so sessions, lockout
 * windows and deadlines still see time pass while every civil date the suite computes is that
 * day's. Production ignores the variable: its clock is the machine's.
 */

type ClockEnv = { ENVIRONMENT?: string; TODAY?: string };

const CIVIL_DATE = /^\d{4}-\d{2}-\d{2}$/;
let pinned: { today: string; at: number; since: number } | null = null;

/** Applies the `TODAY` seam of an environment (a no-op in production or without it). */
export function useClockOf(env: ClockEnv): void {
  const today = env.ENVIRONMENT !== 'production' ? env.TODAY : undefined;
  if (!today) {
    pinned = null;
    return;
  }
  if (!CIVIL_DATE.test(today) || Number.isNaN(Date.parse(`${today}T04:00:00Z`)))
    throw new Error(`TODAY must be a civil date YYYY-MM-DD, not ${JSON.stringify(today)}`);
  // Same day as before: keep the running clock, or time would jump back on every request.
  if (pinned?.today === today) return;
  pinned = { today, at: Date.parse(`${today}T04:00:00Z`), since: Date.now() };
}

/** Milliseconds since the epoch, by the (possibly pinned) clock. */
export const nowMs = (): number => (pinned ? pinned.at + (Date.now() - pinned.since) : Date.now());

export const nowInstant = (): string => new Date(nowMs()).toISOString();

export const addMinutes = (instant: string, minutes: number): string =>
  new Date(Date.parse(instant) + minutes * 60_000).toISOString();

/** The civil date (YYYY-MM-DD) of an instant in a county's timezone. */
export function civilDate(instant: string, timezone: string): string {
  // en-CA formats as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: timezone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date(instant));
}

export const todayIn = (timezone: string): string => civilDate(nowInstant(), timezone);
