/** The in-process cron (runtime/node/cron.ts): wrangler.toml's expressions, in UTC. */
import { describe, expect, it } from 'vitest';
import { nextFiring, parseCron } from './cron.ts';
import { readWranglerSettings } from './wrangler-config.ts';

const next = (expr: string, after: string) => nextFiring(parseCron(expr), new Date(after)).toISOString();

describe('cron', () => {
  it("fires wrangler.toml's trigger at minute 5 of every hour, UTC", () => {
    const [cron] = readWranglerSettings().crons;
    expect(cron).toBe('5 * * * *');
    expect(next(cron!, '2026-12-07T10:04:30Z')).toBe('2026-12-07T10:05:00.000Z');
    expect(next(cron!, '2026-12-07T10:05:00Z')).toBe('2026-12-07T11:05:00.000Z');
    expect(next(cron!, '2026-12-31T23:59:59Z')).toBe('2027-01-01T00:05:00.000Z');
  });

  it('reads lists, ranges, steps and the two day fields as cron does', () => {
    expect(next('*/15 9-17 * * 1-5', '2026-12-05T12:00:00Z')).toBe('2026-12-07T09:00:00.000Z'); // Sat → Mon
    expect(next('0 0 29 2 *', '2026-03-01T00:00:00Z')).toBe('2028-02-29T00:00:00.000Z');
    expect(next('30 1 1,15 * 0', '2026-12-02T00:00:00Z')).toBe('2026-12-06T01:30:00.000Z'); // Sunday or 1st/15th
    expect(next('0 12 * * 7', '2026-12-07T00:00:00Z')).toBe('2026-12-13T12:00:00.000Z');
    expect(() => parseCron('61 * * * *')).toThrow('outside');
    expect(() => parseCron('* * *')).toThrow('five fields');
  });
});
