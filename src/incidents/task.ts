/**
 * Hourly: incidents the township office has not acknowledged within the county's limit are
 * escalated to the bureau (and the office is reminded), once each. No narrative or name goes
 * into the notification: the kind of incident and a link.
 */
import { jobCountyCtx, type Task } from '../jobs/tasks';
import type { IncidentKind } from './schema';
import { escalationsDue, markEscalationsNotified } from './service';

const KIND_LABELS: Record<IncidentKind, { zh: string; en: string }> = {
  violation: { zh: '违规', en: 'violation' },
  absconding_risk: { zh: '脱管风险', en: 'absconding risk' },
  suspected_offence: { zh: '涉嫌再犯罪', en: 'suspected offence' },
  mental_health_crisis: { zh: '心理危机', en: 'mental-health crisis' },
  emergency_hardship: { zh: '紧急困难', en: 'emergency hardship' },
};

export const incidentEscalationTask: Task = {
  name: 'incident-escalations',
  cadence: 'hourly',
  async run(k) {
    const kc = jobCountyCtx(k);
    const due = await escalationsDue(kc, k.now);
    const notified = await k.notify(
      due.map(({ row }) => {
        const label = KIND_LABELS[row.kind];
        return {
          kind: 'incident.escalated',
          audience: {
            roles: ['bureau_admin', 'bureau_officer', 'office_officer'] as const,
            townshipId: row.townshipId,
          },
          titleZh: `重大事项（${label.zh}）超时未签收，已上报县司法局`,
          titleEn: `An incident (${label.en}) was not acknowledged in time and is escalated to the bureau`,
          link: `/c/${k.county.slug}/incidents/${row.id}`,
          dedupeKey: `incident-escalated:${row.id}`,
        };
      }),
    );
    await markEscalationsNotified(
      kc,
      due.map((d) => d.row.id),
      k.now,
    );
    return { escalated: due.length, notified };
  },
};
