/**
 * Compliance as the API answers it (API.md "Compliance"): one supervisee over a range, the
 * county for a month, the worklist of due and overdue items, a dashboard, and the preview of a
 * draft rule set. Each request reads the rule sets, then everything else in one batch of a
 * fixed number of statements (src/compliance/load.ts), and leaves the rest to the pure engine.
 */
import { and, eq, or, type SQL } from 'drizzle-orm';
import type { CountyDb } from '../env';
import type { CountyCtx } from '../lib/context';
import { conflict, notFound } from '../lib/problem';
import { nowInstant } from '../lib/time';
import { ruleSets } from '../rule-sets/schema';
import { toPublished } from '../rule-sets/service';
import {
  addDays,
  type CivilDate,
  type ComplianceItem,
  compileHistory,
  daysInMonth,
  endOf,
  evaluateComplianceBatch,
  maxDate,
  minDate,
  type PublishedRuleSet,
  type RuleSet,
  ruleSetSpans,
  toDayNumber,
} from '../rules';
import { type Detail, type SuperviseeScope, scopeCondition } from '../supervisees/access';
import { supervisees } from '../supervisees/schema';
import { findVisible, superviseeDetails } from '../supervisees/service';
import { type LoadedFacts, loadFacts, type SuperviseeSummary } from './load';

/** How far back a worklist looks: API.md "Across counties" keeps items due in the last 31 days. */
export const WORKLIST_LOOK_BACK_DAYS = 31;

export const monthRange = (month: string): { from: CivilDate; to: CivilDate } => {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return { from: `${month}-01`, to: `${month}-${String(daysInMonth(y, m)).padStart(2, '0')}` };
};

const published = (db: CountyDb) => db.select().from(ruleSets).where(eq(ruleSets.status, 'published'));

async function history(db: CountyDb): Promise<PublishedRuleSet[]> {
  return (await published(db)).map(toPublished);
}

function evaluate(
  facts: LoadedFacts,
  h: readonly PublishedRuleSet[],
  from: CivilDate,
  to: CivilDate,
  today: CivilDate,
) {
  return evaluateComplianceBatch({ history: compileHistory(h), supervisees: facts.inputs, from, to, today });
}

const overlaps = (s: SuperviseeSummary, from: CivilDate, to: CivilDate) =>
  s.termStart <= to && s.termEnd >= from;

/** The supervisee's name, unless the caller's view of supervisees is minimised (evaluators). */
const identity = (s: SuperviseeSummary, detail: Detail) => ({
  caseNumber: s.caseNumber,
  ...(detail === 'minimal' ? {} : { name: s.name }),
  townshipId: s.townshipId,
});

// ---------------------------------------------------------------------------------------------
// One supervisee

export async function superviseeCompliance(
  k: CountyCtx,
  scope: SuperviseeScope,
  id: string,
  range: { from: CivilDate; to: CivilDate },
) {
  await findVisible(k, scope, id);
  const h = await history(k.db);
  const facts = await loadFacts(k.db, {
    ...range,
    histories: [h],
    filter: eq(supervisees.id, id),
    one: true,
  });
  const items = facts.inputs.length ? evaluate(facts, h, range.from, range.to, k.today)[0]!.items : [];
  return { superviseeId: id, from: range.from, to: range.to, items };
}

// ---------------------------------------------------------------------------------------------
// The county for a month

export async function countyCompliance(
  k: CountyCtx,
  scope: SuperviseeScope,
  range: { from: CivilDate; to: CivilDate },
  township: string | undefined,
) {
  const h = await history(k.db);
  const filter = and(scopeCondition(scope), township ? eq(supervisees.townshipId, township) : undefined);
  const facts = await loadFacts(k.db, { ...range, histories: [h], filter });
  const results = evaluate(facts, h, range.from, range.to, k.today);
  const detail = await superviseeDetails(k, scope, facts.supervisees);
  const items = [];
  for (const [i, s] of facts.supervisees.entries()) {
    const r = results[i]!;
    // Whose term overlaps the month; and, as the one-supervisee answer would, anyone else whose
    // window sticks into the month (a week that began before their term ended).
    if (r.items.length || overlaps(s, range.from, range.to))
      items.push({ superviseeId: s.id, ...identity(s, detail(s)), items: r.items });
  }
  return { month: range.from.slice(0, 7), from: range.from, to: range.to, items };
}

// ---------------------------------------------------------------------------------------------
// Worklists and the dashboard

export type WorklistItem = ComplianceItem & {
  superviseeId: string;
  caseNumber: string;
  name: string;
  townshipId: string;
};

export const worklistRange = (today: CivilDate, until: CivilDate) => ({
  from: addDays(today, -WORKLIST_LOOK_BACK_DAYS),
  to: until,
});

const byDueBy = (a: WorklistItem, b: WorklistItem) =>
  a.dueBy < b.dueBy
    ? -1
    : a.dueBy > b.dueBy
      ? 1
      : a.caseNumber < b.caseNumber
        ? -1
        : a.caseNumber > b.caseNumber
          ? 1
          : 0;

/**
 * Every item not met with today − 31 ≤ dueBy ≤ until, soonest first, for the supervisees
 * `filter` selects. `null` filter: responsible for nobody, no query.
 */
export async function worklist(k: CountyCtx, filter: SQL | undefined | null, until: CivilDate) {
  const range = worklistRange(k.today, until);
  if (filter === null || range.to < range.from) return [];
  const h = await history(k.db);
  const facts = await loadFacts(k.db, { ...range, histories: [h], filter });
  const results = evaluate(facts, h, range.from, range.to, k.today);
  const out: WorklistItem[] = [];
  for (const [i, s] of facts.supervisees.entries()) {
    for (const item of results[i]!.items) {
      if (item.status === 'met' || item.dueBy < range.from || item.dueBy > range.to) continue;
      out.push({
        superviseeId: s.id,
        caseNumber: s.caseNumber,
        name: s.name,
        townshipId: s.townshipId,
        ...item,
      });
    }
  }
  return out.sort(byDueBy);
}

export interface DashboardCounts {
  /** Supervisees the caller is responsible for whose term includes today. */
  supervisees: number;
  /** Items not met, due from today to this Sunday. */
  dueThisWeek: number;
  /** Items not met whose dueBy has passed, within the worklist's 31 days. */
  overdue: number;
  /** This month's items (windows overlapping the month) and how many of them are met. */
  monthItems: number;
  monthMet: number;
  /** monthMet / monthItems to three decimals; null without items. */
  metShareThisMonth: number | null;
}

export async function dashboard(k: CountyCtx, filter: SQL | undefined | null): Promise<DashboardCounts> {
  const empty = {
    supervisees: 0,
    dueThisWeek: 0,
    overdue: 0,
    monthItems: 0,
    monthMet: 0,
    metShareThisMonth: null,
  };
  if (filter === null) return empty;
  const month = monthRange(k.today.slice(0, 7));
  const weekEnd = endOf('week', k.today);
  const work = worklistRange(k.today, weekEnd);
  const h = await history(k.db);
  const facts = await loadFacts(k.db, {
    from: minDate(work.from, month.from),
    to: maxDate(weekEnd, month.to),
    histories: [h],
    filter,
  });
  const counts: DashboardCounts = { ...empty };
  counts.supervisees = facts.supervisees.filter((s) => overlaps(s, k.today, k.today)).length;
  for (const r of evaluate(facts, h, work.from, work.to, k.today)) {
    for (const item of r.items) {
      if (item.status === 'met' || item.dueBy < work.from) continue;
      if (item.dueBy < k.today) counts.overdue += 1;
      else if (item.dueBy <= weekEnd) counts.dueThisWeek += 1;
    }
  }
  for (const r of evaluate(facts, h, month.from, month.to, k.today)) {
    counts.monthItems += r.items.length;
    counts.monthMet += r.items.filter((i) => i.status === 'met').length;
  }
  counts.metShareThisMonth = counts.monthItems
    ? Math.round((counts.monthMet / counts.monthItems) * 1000) / 1000
    : null;
  return counts;
}

// ---------------------------------------------------------------------------------------------
// Preview of a draft rule set

/**
 * Whether an item counts as "short" in a preview (docs/adr/0202-rule-set-preview.md): its window
 * is over and not met (`short`, `overdue`), or it is still open (`open`, `due`) and behind pace —
 * what it has achieved is less than `required` × (days of the window up to today) / (days of
 * the window), rounded down to a whole count or half hour.
 */
export function isShort(item: ComplianceItem, today: CivilDate): boolean {
  if (item.status === 'short' || item.status === 'overdue') return true;
  if (item.status === 'met') return false;
  const start = toDayNumber(item.windowStart);
  const days = toDayNumber(item.windowEnd) - start + 1;
  const elapsed = Math.min(days, Math.max(0, toDayNumber(today) - start + 1));
  const step = item.measure === 'count' ? 1 : 0.5;
  const pace = Math.floor((item.required * elapsed) / days / step + 1e-9) * step;
  return item.achieved < pace;
}

type PreviewSide = {
  /** Supervisees with at least one item of the requirement in the month. */
  applies: number;
  short: number;
  supervisees: { id: string; caseNumber: string; name: string }[];
};

function side(): PreviewSide {
  return { applies: 0, short: 0, supervisees: [] };
}

export async function previewRuleSet(k: CountyCtx, id: string, range: { from: CivilDate; to: CivilDate }) {
  const rows = await k.db
    .select()
    .from(ruleSets)
    .where(or(eq(ruleSets.status, 'published'), eq(ruleSets.id, id)));
  const target = rows.find((r) => r.id === id);
  if (!target) throw notFound('rule set');
  if (target.status !== 'draft')
    throw conflict(`Version ${target.version} is ${target.status}; only a draft can be previewed.`);
  const inForce = rows.filter((r) => r.status === 'published').map(toPublished);
  // As if published now, at its own effectiveFrom: the latest publication wins a shared day.
  const withDraft = [
    ...inForce,
    {
      id: target.id,
      version: target.version,
      publishedAt: nowInstant(),
      ruleSet: target.body as unknown as RuleSet,
    },
  ];
  const facts = await loadFacts(k.db, { ...range, histories: [inForce, withDraft] });
  const sides = { inForce: new Map<string, PreviewSide>(), draft: new Map<string, PreviewSide>() };

  // Requirements either version defines for the month are listed even when nobody is short.
  const defined = (h: readonly PublishedRuleSet[], into: Map<string, PreviewSide>) => {
    for (const span of ruleSetSpans(h)) {
      if (span.from > range.to || (span.to !== null && span.to < range.from)) continue;
      const rs = span.published.ruleSet;
      for (const r of rs.requirements) if (!into.has(r.id)) into.set(r.id, side());
      for (const p of rs.specialPeriods) {
        if (p.from > range.to || p.to < range.from) continue;
        for (const r of p.requirements) if (!into.has(r.id)) into.set(r.id, side());
      }
    }
  };
  defined(inForce, sides.inForce);
  defined(withDraft, sides.draft);

  for (const [name, h] of [
    ['inForce', inForce],
    ['draft', withDraft],
  ] as const) {
    const results = evaluate(facts, h, range.from, range.to, k.today);
    const into = sides[name];
    for (const [i, s] of facts.supervisees.entries()) {
      const byRequirement = new Map<string, boolean>();
      for (const item of results[i]!.items) {
        byRequirement.set(
          item.requirementId,
          (byRequirement.get(item.requirementId) ?? false) || isShort(item, k.today),
        );
      }
      for (const [requirementId, short] of byRequirement) {
        const entry = into.get(requirementId) ?? side();
        into.set(requirementId, entry);
        entry.applies += 1;
        if (short) {
          entry.short += 1;
          entry.supervisees.push({ id: s.id, caseNumber: s.caseNumber, name: s.name });
        }
      }
    }
  }
  const ids = [...new Set([...sides.inForce.keys(), ...sides.draft.keys()])].sort();
  return {
    ruleSetId: target.id,
    version: target.version,
    effectiveFrom: target.effectiveFrom,
    month: range.from.slice(0, 7),
    from: range.from,
    to: range.to,
    evaluatedOn: k.today,
    supervisees: facts.supervisees.filter((s) => overlaps(s, range.from, range.to)).length,
    requirements: ids.map((requirementId) => {
      const a = sides.inForce.get(requirementId) ?? side();
      const b = sides.draft.get(requirementId) ?? side();
      return { requirementId, inForce: a, draft: b, change: b.short - a.short };
    }),
  };
}
