/**
 * The demo's daily work, anchored to the county's today so that a first dashboard looks like a
 * working month: a few supervisees per county (terms that began half a year ago), assigned to
 * the demo provider and its social worker; the last ledger cycle's services — one township's
 * ledger submitted for the office to review, the other still a draft — and the current cycle
 * partly done (the days before today). Ids are deterministic; none is confirmed, so nothing in
 * the demo is locked.
 */
import { getTableColumns } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import { drizzle } from 'drizzle-orm/d1';
import { activities, activityParticipants } from '../activities/schema';
import { fieldCrypto } from '../crypto/fields';
import { chunkForParams } from '../db';
import * as county from '../db/county-schema';
import { ledgerEvents, ledgers } from '../ledgers/schema';
import { withIdCheck } from '../lib/validators';
import { addDays, cycleOf, ledgerDueBy, PRESETS } from '../rules';
import { assignments, superviseeFlags, superviseeLevels, supervisees } from '../supervisees/schema';
import { ID_NUMBER_PURPOSE } from '../supervisees/service';
import { DEMO_PROVIDER, type DemoCounty } from './data';

const WORKER = 'u-provider-worker';
const ADMIN = 'u-provider-admin';

type Person = {
  name: string;
  gender: 'male' | 'female';
  birth: string;
  township: number;
  keyPerson?: boolean;
};

/** Two townships per county: the first gets four supervisees, the second two. */
const PEOPLE: Record<string, { prefix: string; region: string; people: Person[] }> = {
  deqing: {
    prefix: 'DQ',
    region: '330521',
    people: [
      { name: '王建国', gender: 'male', birth: '1978-04-12', township: 0 },
      { name: '李秀英', gender: 'female', birth: '1985-09-03', township: 0 },
      { name: '张伟', gender: 'male', birth: '1992-01-27', township: 0, keyPerson: true },
      { name: '刘洋', gender: 'male', birth: '1988-11-30', township: 0 },
      { name: '陈静', gender: 'female', birth: '1990-06-18', township: 1 },
      { name: '杨磊', gender: 'male', birth: '1983-02-08', township: 1 },
    ],
  },
  anji: {
    prefix: 'AJ',
    region: '330523',
    people: [
      { name: '赵强', gender: 'male', birth: '1980-03-21', township: 0 },
      { name: '黄丽', gender: 'female', birth: '1987-07-14', township: 0 },
      { name: '周杰', gender: 'male', birth: '1995-12-02', township: 0 },
      { name: '吴敏', gender: 'female', birth: '1979-05-25', township: 0 },
      { name: '徐斌', gender: 'male', birth: '1991-08-09', township: 1 },
      { name: '孙燕', gender: 'female', birth: '1986-10-16', township: 1 },
    ],
  },
};

/** Two-year terms that began on the first of the month six months before today. */
export function demoTerm(today: string) {
  const [y, m] = today.split('-').map(Number) as [number, number];
  const months = y * 12 + (m - 1) - 6;
  const start = `${Math.floor(months / 12)}-${String((months % 12) + 1).padStart(2, '0')}-01`;
  const [sy, sm] = [Math.floor(months / 12) + 2, (months % 12) + 1];
  return { start, end: addDays(`${sy}-${String(sm).padStart(2, '0')}-01`, -1) };
}

/** The demo's two ledger cycles: the last one (reviewed now) and the one that holds today. */
export function demoCycles(today: string, preset: DemoCounty['preset']) {
  const rules = PRESETS[preset].ruleSet.ledger;
  const current = cycleOf(today, rules.cycleEndDay);
  const last = cycleOf(addDays(current.cycleStart, -1), rules.cycleEndDay);
  return { last, current, lastDueBy: ledgerDueBy(last.cycleEnd, rules.submitWithinDays) };
}

export async function seedServiceRecords(
  d1: D1Database,
  k: DemoCounty,
  dataKeySecret: string,
  today: string,
) {
  const plan = PEOPLE[k.slug];
  if (!plan) return;
  const db = drizzle(d1, { schema: county });
  const crypto = await fieldCrypto(dataKeySecret, k.slug);
  const townshipIds = [k.townships[0]!.id, k.townships[1]!.id] as const;
  const TERM = demoTerm(today);
  const { last, current, lastDueBy } = demoCycles(today, k.preset);
  const currentDueBy = ledgerDueBy(current.cycleEnd, PRESETS[k.preset].ruleSet.ledger.submitWithinDays);
  // Days of the last cycle: its first day plus n (every cycle has at least 28 days).
  const day = (n: number) => addDays(last.cycleStart, n);
  // Days of the current cycle before today, or null.
  const sofar = (n: number) => {
    const d = addDays(current.cycleStart, n);
    return d < today ? d : null;
  };

  const people = await Promise.all(
    plan.people.map(async (p, i) => {
      const id = `demo-${k.slug}-s${i + 1}`;
      const seq = String(100 + i * 2 + (p.gender === 'male' ? 1 : 0)).padStart(3, '0');
      const idNumber = withIdCheck(`${plan.region}${p.birth.replaceAll('-', '')}${seq}`);
      const ref = (column: string) => ({ table: 'supervisees', column, rowId: id });
      return {
        ...p,
        id,
        townshipId: townshipIds[p.township]!,
        row: {
          id,
          // Marked DEMO: never the number a test or an integrator registers (case numbers are unique).
          caseNumber: `${plan.prefix}-DEMO-${TERM.start.slice(0, 4)}-${String(i + 1).padStart(3, '0')}`,
          name: p.name,
          gender: p.gender,
          birthDate: p.birth,
          idNumberEnc: await crypto.encrypt(idNumber, ref('id_number_enc')),
          idNumberHash: await crypto.lookupHash(idNumber, ID_NUMBER_PURPOSE),
          phoneEnc: await crypto.encrypt(`1380000${String(1000 + i)}`, ref('phone_enc')),
          addressEnc: null,
          townshipId: townshipIds[p.township]!,
          sentenceType: i % 3 === 0 ? ('parole' as const) : ('probation' as const),
          termStart: TERM.start,
          termEnd: TERM.end,
          level: p.keyPerson ? 'strict' : 'normal',
          keyPerson: p.keyPerson ?? false,
          ableToWork: true,
          createdBy: 'demo-seed',
        },
      };
    }),
  );

  const ledgerId = (t: number, cycle = last.cycle) => `demo-${k.slug}-ledger-${townshipIds[t]}-${cycle}`;
  type Act = {
    type: string;
    on: string;
    at: string;
    minutes: number;
    who: number[];
    t: number;
    /** In the current cycle (else the last one). */
    now?: boolean;
    /** What was done; stored encrypted like every summary (ADR 0403). */
    summary?: string;
    extra?: { place?: string; aidAmountFen?: number };
  };
  const acts: Act[] = [];
  people.forEach((p, i) => {
    acts.push({ type: 'home_visit', on: day(3 + i), at: '09:30', minutes: 60, who: [i], t: p.township });
    acts.push({ type: 'phone_followup', on: day(12 + i), at: '16:00', minutes: 15, who: [i], t: p.township });
  });
  for (const t of [0, 1]) {
    const members = people.flatMap((p, i) => (p.township === t ? [i] : []));
    // One social worker runs both townships' sessions, on different days.
    acts.push({ type: 'education', on: day(8 + t), at: '14:00', minutes: 240, who: members, t });
    acts.push({ type: 'community_service', on: day(20 + t), at: '08:30', minutes: 240, who: members, t });
  }
  acts.push({
    type: 'legal_publicity',
    on: day(15),
    at: '10:00',
    minutes: 120,
    who: [],
    t: 0,
    summary: '社区矫正法宣传，发放宣传手册',
    extra: { place: '社区文化广场' },
  });
  acts.push({
    type: 'hardship_aid',
    on: day(18),
    at: '15:00',
    minutes: 30,
    who: [1],
    t: 0,
    summary: '协助申请临时救助',
    extra: { aidAmountFen: 80_000 },
  });
  // The current cycle so far: the first visits of the month, and a study session once it is due.
  people.forEach((p, i) => {
    const on = i % 2 === 0 ? sofar(1 + i) : null;
    if (on)
      acts.push({ type: 'home_visit', on, at: '10:00', minutes: 45, who: [i], t: p.township, now: true });
  });
  const study = sofar(6);
  if (study) {
    const members = people.flatMap((p, i) => (p.township === 0 ? [i] : []));
    acts.push({ type: 'education', on: study, at: '14:00', minutes: 240, who: members, t: 0, now: true });
  }
  const currentTownships = [...new Set(acts.filter((a) => a.now).map((a) => a.t))];

  const activityRows = await Promise.all(
    acts.map(async (a, n) => ({
      id: `demo-${k.slug}-a${n + 1}`,
      summaryEnc: a.summary
        ? await crypto.encrypt(a.summary, {
            table: 'activities',
            column: 'summary_enc',
            rowId: `demo-${k.slug}-a${n + 1}`,
          })
        : null,
      type: a.type,
      occurredOn: a.on,
      startTime: a.at,
      durationMinutes: a.minutes,
      providerId: DEMO_PROVIDER.id,
      townshipId: townshipIds[a.t]!,
      staffUserId: WORKER,
      ledgerId: a.now ? ledgerId(a.t, current.cycle) : ledgerId(a.t),
      createdBy: WORKER,
      createdAt: `${a.on}T12:00:00.000Z`,
      ...a.extra,
    })),
  );
  const participantRows = acts.flatMap((a, n) =>
    a.who.map((i) => ({
      activityId: `demo-${k.slug}-a${n + 1}`,
      superviseeId: people[i]!.id,
      minutes: a.minutes,
    })),
  );
  // Submitted on the cycle's last day, 10:00 in China.
  const submittedAt = `${last.cycleEnd}T02:00:00.000Z`;

  const stmts: BatchItem<'sqlite'>[] = [
    ...inChunks(
      supervisees,
      people.map((p) => p.row),
    ).map((rows) => db.insert(supervisees).values(rows)),
    db.insert(superviseeLevels).values(
      people.map((p) => ({
        id: `${p.id}-level`,
        superviseeId: p.id,
        level: p.row.level,
        effectiveFrom: TERM.start,
        reason: 'initial',
        createdBy: 'demo-seed',
      })),
    ),
    db.insert(superviseeFlags).values(
      people.flatMap((p) => [
        {
          id: `${p.id}-key`,
          superviseeId: p.id,
          flag: 'key_person' as const,
          value: p.row.keyPerson,
          effectiveFrom: TERM.start,
        },
        {
          id: `${p.id}-work`,
          superviseeId: p.id,
          flag: 'able_to_work' as const,
          value: true,
          effectiveFrom: TERM.start,
        },
      ]),
    ),
    db.insert(assignments).values(
      people.map((p) => ({
        id: `${p.id}-assignment`,
        superviseeId: p.id,
        providerId: DEMO_PROVIDER.id,
        workerUserId: WORKER,
        fromDate: TERM.start,
        createdBy: 'demo-seed',
      })),
    ),
    db.insert(ledgers).values([
      {
        id: ledgerId(0),
        providerId: DEMO_PROVIDER.id,
        townshipId: townshipIds[0],
        ...last,
        dueBy: lastDueBy,
        status: 'submitted' as const,
        submittedAt,
        submittedBy: ADMIN,
        late: false,
      },
      {
        id: ledgerId(1),
        providerId: DEMO_PROVIDER.id,
        townshipId: townshipIds[1],
        ...last,
        dueBy: lastDueBy,
      },
      ...currentTownships.map((t) => ({
        id: ledgerId(t, current.cycle),
        providerId: DEMO_PROVIDER.id,
        townshipId: townshipIds[t]!,
        ...current,
        dueBy: currentDueBy,
      })),
    ]),
    db.insert(ledgerEvents).values({
      id: `${ledgerId(0)}-submit`,
      ledgerId: ledgerId(0),
      action: 'submit',
      byUserId: ADMIN,
      at: submittedAt,
    }),
    ...inChunks(activities, activityRows).map((rows) => db.insert(activities).values(rows)),
    ...inChunks(activityParticipants, participantRows).map((rows) =>
      db.insert(activityParticipants).values(rows),
    ),
  ];
  await db.batch(stmts as [BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]]);
}

/** Rows split so that no insert binds more than D1's 100 parameters (every column counted). */
const inChunks = <T>(table: Parameters<typeof getTableColumns>[0], rows: T[]) =>
  chunkForParams(rows, Object.keys(getTableColumns(table)).length);
