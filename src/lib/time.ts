/**
 * The one place that reads the clock. Everything else receives instants or civil dates as
 * arguments, which is what lets the rules engine and the tests stay deterministic.
 */
export const nowInstant = (): string => new Date().toISOString();

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
