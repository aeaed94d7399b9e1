/**
 * The parts of a supervisee's page that come from other features: the compliance calendar, the
 * activity timeline, and the field actions (record a service, report an incident), kept apart so
 * the record page itself stays small.
 */
import type { Child } from 'hono/jsx';
import { activityCtx } from '../activities/http';
import { listActivities } from '../activities/service';
import type { Ctx } from '../lib/context';
import type { SuperviseeRow } from '../supervisees/schema';
import { complianceCalendar } from './compliance';
import type { Msg } from './i18n';
import { base, hasRole, type PageCtx } from './kit';
import { typeName } from './labels';

const M = {
  timeline: { zh: '服务记录', en: 'Activity timeline' },
  none: { zh: '尚无服务记录。', en: 'No activity recorded yet.' },
  record: { zh: '记录一次服务', en: 'Record a service' },
  min: { zh: '分钟', en: 'min' },
  voided: { zh: '已作废', en: 'voided' },
  report: { zh: '报告重大事项', en: 'Report an incident' },
  persons: { zh: '人', en: ' people' },
} satisfies Record<string, Msg>;

export async function superviseeSections(
  c: Ctx,
  p: PageCtx,
  row: SuperviseeRow,
): Promise<{ before: Child; after: Child }> {
  const { s, lang } = p;
  const works = hasRole(
    p,
    'bureau_admin',
    'bureau_officer',
    'office_officer',
    'provider_admin',
    'provider_worker',
  );
  // Evaluators see the calendar (minimised records) but no activity details.
  if (!works) return { before: await complianceCalendar(c, p, row), after: null };
  const [{ items }, calendar] = await Promise.all([
    listActivities(activityCtx(c), { superviseeId: row.id, limit: 50 }),
    complianceCalendar(c, p, row),
  ]);
  const b = base(p);
  const back = encodeURIComponent(`${b}/supervisees/${row.id}`);
  const actions = (
    <p class="actions">
      <a class="button" href={`${b}/record?supervisee=${row.id}&back=${back}`}>
        {s(M.record)}
      </a>
      {hasRole(p, 'provider_admin', 'provider_worker') ? (
        <a class="button secondary" href={`${b}/incidents/new?supervisee=${row.id}`}>
          {s(M.report)}
        </a>
      ) : null}
    </p>
  );
  const timeline = (
    <section class="card" aria-labelledby="timeline">
      <h2 id="timeline">{s(M.timeline)}</h2>
      {items.length === 0 ? (
        <p class="muted">{s(M.none)}</p>
      ) : (
        <ol class="timeline">
          {items.map((x) => (
            <li class={x.status === 'voided' ? 'voided' : undefined}>
              <time datetime={x.occurredOn}>{x.occurredOn}</time> <strong>{typeName(x.type, lang)}</strong> ·{' '}
              {x.durationMinutes} {s(M.min)}
              {x.participants.length > 1 ? ` · ${x.participants.length}${s(M.persons)}` : ''}
              {x.status === 'voided' ? <span class="badge">{s(M.voided)}</span> : null}
              {x.summary ? <div class="muted">{x.summary}</div> : null}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
  return {
    before: (
      <>
        {actions}
        {calendar}
      </>
    ),
    after: timeline,
  };
}
