/**
 * Where an incident stands at an instant: pure (no I/O, no clock), so the API computes it on
 * read and the scheduled job can apply the same judgement when it notifies the bureau.
 *
 * - acknowledge by `reportedAt + acknowledgeWithinHours`: an acknowledgement at that very
 *   instant is on time; an open incident is `overdue` once the instant has passed;
 * - an incident still open once `escalateAfterHours` have elapsed (at `escalateAt` or later) is
 *   `escalated` to the bureau; acknowledging it ends the escalation (`acknowledgedLate` stays).
 */
import type { IncidentRules } from '../rules';

export type { IncidentRules };

export type IncidentFacts = {
  reportedAt: string;
  status: 'open' | 'acknowledged' | 'resolved';
  acknowledgedAt: string | null;
};

export type IncidentState = {
  acknowledgeBy: string;
  escalateAt: string;
  overdue: boolean;
  escalated: boolean;
  /** Whether the acknowledgement came after its deadline (null while not acknowledged). */
  acknowledgedLate: boolean | null;
};

const HOUR_MS = 3_600_000;

const at = (instant: string, what: string) => {
  const ms = Date.parse(instant);
  if (Number.isNaN(ms)) throw new Error(`${what} is not an instant`);
  return ms;
};

const plusHours = (instant: string, hours: number) =>
  new Date(at(instant, 'reportedAt') + Math.round(hours * HOUR_MS)).toISOString();

/** The two deadlines of an incident reported at `reportedAt` under `rules`. */
export function incidentDeadlines(reportedAt: string, rules: IncidentRules) {
  return {
    acknowledgeBy: plusHours(reportedAt, rules.acknowledgeWithinHours),
    escalateAt: plusHours(reportedAt, rules.escalateAfterHours),
  };
}

export function incidentState(incident: IncidentFacts, rules: IncidentRules, now: string): IncidentState {
  const { acknowledgeBy, escalateAt } = incidentDeadlines(incident.reportedAt, rules);
  const nowMs = at(now, 'now');
  const open = incident.status === 'open';
  return {
    acknowledgeBy,
    escalateAt,
    overdue: open && nowMs > Date.parse(acknowledgeBy),
    escalated: open && nowMs >= Date.parse(escalateAt),
    acknowledgedLate:
      incident.acknowledgedAt === null
        ? null
        : at(incident.acknowledgedAt, 'acknowledgedAt') > Date.parse(acknowledgeBy),
  };
}
