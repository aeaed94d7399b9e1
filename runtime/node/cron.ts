/**
 * The in-process cron of the self-hosted runtime: the `[triggers] crons` of wrangler.toml,
 * evaluated in UTC as Cloudflare evaluates them, each firing calling the app's `scheduled()`.
 * Five fields (minute hour day-of-month month day-of-week) with `*`, lists, ranges and steps;
 * day-of-week 0 or 7 is Sunday; when both day fields are restricted either may match (cron's rule).
 */

type Field = { values: Set<number>; any: boolean };
export type CronSchedule = { expression: string; fields: [Field, Field, Field, Field, Field] };

const RANGES: [number, number][] = [
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12],
  [0, 7],
];

function parseField(text: string, [min, max]: [number, number], expression: string): Field {
  const values = new Set<number>();
  for (const part of text.split(',')) {
    const m = part.match(/^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/);
    if (!m) throw new Error(`cron "${expression}": cannot read "${part}"`);
    const step = m[4] ? Number(m[4]) : 1;
    const from = m[1] === '*' ? min : Number(m[2]);
    const to = m[1] === '*' ? max : m[3] ? Number(m[3]) : m[4] ? max : from;
    if (from < min || to > max || from > to || step < 1)
      throw new Error(`cron "${expression}": "${part}" is outside ${min}-${max}`);
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return { values, any: text === '*' };
}

export function parseCron(expression: string): CronSchedule {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 5) throw new Error(`cron "${expression}": expected five fields`);
  const fields = parts.map((p, i) => parseField(p, RANGES[i]!, expression)) as CronSchedule['fields'];
  if (fields[4].values.has(7)) fields[4].values.add(0);
  return { expression, fields };
}

function matchesDay(s: CronSchedule, d: Date): boolean {
  const [, , dom, , dow] = s.fields;
  const domOk = dom.values.has(d.getUTCDate());
  const dowOk = dow.values.has(d.getUTCDay());
  if (dom.any && dow.any) return true;
  if (dom.any) return dowOk;
  if (dow.any) return domOk;
  return domOk || dowOk;
}

/** The first whole minute strictly after `after` that the schedule matches (UTC). */
export function nextFiring(s: CronSchedule, after: Date): Date {
  const t = new Date(after.getTime());
  t.setUTCSeconds(0, 0);
  t.setUTCMinutes(t.getUTCMinutes() + 1);
  const [minute, hour, , month] = s.fields;
  // At most a few years of minutes; day-by-day skipping keeps it fast.
  for (let guard = 0; guard < 4 * 366 * 24 * 60; guard++) {
    if (!month.values.has(t.getUTCMonth() + 1) || !matchesDay(s, t)) {
      t.setUTCHours(0, 0, 0, 0);
      t.setUTCDate(t.getUTCDate() + 1);
      continue;
    }
    if (!hour.values.has(t.getUTCHours())) {
      t.setUTCMinutes(0);
      t.setUTCHours(t.getUTCHours() + 1);
      continue;
    }
    if (minute.values.has(t.getUTCMinutes())) return t;
    t.setUTCMinutes(t.getUTCMinutes() + 1);
  }
  throw new Error(`cron "${s.expression}" never fires`);
}

export type Firing = (controller: ScheduledController) => Promise<void>;

/** Fires `onFire` at every matching minute of every schedule until stopped. */
export class CronScheduler {
  #timers = new Map<string, NodeJS.Timeout>();
  #stopped = false;

  constructor(
    private readonly schedules: CronSchedule[],
    private readonly onFire: Firing,
    private readonly log: (line: string) => void = (l) => console.error(l),
  ) {}

  start(): void {
    this.#stopped = false;
    for (const s of this.schedules) this.#arm(s);
  }

  stop(): void {
    this.#stopped = true;
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
  }

  #arm(s: CronSchedule) {
    if (this.#stopped) return;
    const at = nextFiring(s, new Date());
    // Long waits in slices: timers drift, and a clock change should not skip a firing.
    const wait = Math.min(at.getTime() - Date.now(), 60 * 60_000);
    const timer = setTimeout(
      () => {
        if (Date.now() < at.getTime() - 50) return this.#arm(s);
        const controller: ScheduledController = {
          scheduledTime: at.getTime(),
          cron: s.expression,
          noRetry: () => {},
        };
        this.onFire(controller)
          .catch((e) =>
            this.log(
              JSON.stringify({
                msg: 'cron: scheduled() failed',
                cron: s.expression,
                error: e instanceof Error ? e.name : 'error',
              }),
            ),
          )
          .finally(() => this.#arm(s));
      },
      Math.max(0, wait),
    );
    timer.unref?.();
    this.#timers.set(s.expression, timer);
  }
}
