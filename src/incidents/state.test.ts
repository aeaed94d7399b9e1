import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { incidentDeadlines, incidentState } from './state';

const rules = { acknowledgeWithinHours: 24, escalateAfterHours: 48 };
const reportedAt = '2026-03-01T02:00:00.000Z';
const open = { reportedAt, status: 'open' as const, acknowledgedAt: null };
const plus = (ms: number) => new Date(Date.parse(reportedAt) + ms).toISOString();
const H = 3_600_000;

describe('incidentState', () => {
  it('derives both deadlines from the report instant, fractional hours included', () => {
    expect(incidentDeadlines(reportedAt, rules)).toEqual({
      acknowledgeBy: '2026-03-02T02:00:00.000Z',
      escalateAt: '2026-03-03T02:00:00.000Z',
    });
    expect(incidentDeadlines(reportedAt, { acknowledgeWithinHours: 1.5, escalateAfterHours: 2.25 })).toEqual({
      acknowledgeBy: '2026-03-01T03:30:00.000Z',
      escalateAt: '2026-03-01T04:15:00.000Z',
    });
  });

  it('is neither overdue nor escalated while within the acknowledgement deadline, to the very instant', () => {
    expect(incidentState(open, rules, plus(0))).toMatchObject({ overdue: false, escalated: false });
    expect(incidentState(open, rules, plus(24 * H))).toMatchObject({ overdue: false, escalated: false });
  });

  it('is overdue once the acknowledgement deadline has passed, escalated from escalateAt on', () => {
    expect(incidentState(open, rules, plus(24 * H + 1))).toMatchObject({ overdue: true, escalated: false });
    expect(incidentState(open, rules, plus(48 * H - 1))).toMatchObject({ overdue: true, escalated: false });
    expect(incidentState(open, rules, plus(48 * H))).toMatchObject({ overdue: true, escalated: true });
    expect(incidentState(open, rules, plus(500 * H))).toMatchObject({ overdue: true, escalated: true });
  });

  it('ends the escalation once acknowledged, remembering whether it came late', () => {
    const late = { reportedAt, status: 'acknowledged' as const, acknowledgedAt: plus(50 * H) };
    expect(incidentState(late, rules, plus(60 * H))).toEqual({
      acknowledgeBy: '2026-03-02T02:00:00.000Z',
      escalateAt: '2026-03-03T02:00:00.000Z',
      overdue: false,
      escalated: false,
      acknowledgedLate: true,
    });
    const onTime = { ...late, acknowledgedAt: plus(24 * H) };
    expect(incidentState(onTime, rules, plus(60 * H)).acknowledgedLate).toBe(false);
    const resolved = { ...late, status: 'resolved' as const };
    expect(incidentState(resolved, rules, plus(99 * H))).toMatchObject({ overdue: false, escalated: false });
    expect(incidentState(open, rules, plus(99 * H)).acknowledgedLate).toBeNull();
  });

  it('refuses an instant it cannot read rather than guess', () => {
    expect(() => incidentState(open, rules, 'yesterday')).toThrow(/now/);
    expect(() => incidentState({ ...open, reportedAt: '2026-13-01' }, rules, plus(0))).toThrow(/reportedAt/);
  });

  it('holds for any rules and clock: escalated implies overdue, only open incidents are either', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 24 * 30 }),
        fc.integer({ min: 0, max: 24 * 30 }),
        fc.integer({ min: -H, max: 60 * 24 * H }),
        fc.constantFrom('open', 'acknowledged', 'resolved'),
        (ack, extra, elapsed, status) => {
          const r = { acknowledgeWithinHours: ack, escalateAfterHours: ack + extra };
          const facts = { reportedAt, status, acknowledgedAt: status === 'open' ? null : plus(H) } as const;
          const s = incidentState(facts, r, plus(elapsed));
          if (s.escalated) expect(s.overdue).toBe(true);
          if (status !== 'open') expect(s.overdue || s.escalated).toBe(false);
          expect(s.escalated).toBe(status === 'open' && elapsed >= (ack + extra) * H);
        },
      ),
      { seed: 4242, numRuns: 300 },
    );
  });
});
