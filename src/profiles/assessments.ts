/**
 * Risk and psychological assessments (风险评估, 心理评估) of a supervisee: the result (what a
 * level change or a service plan rests on) and the practitioner's notes, both encrypted (ADR
 * 0403); evaluators see neither.
 */
import { and, desc, eq, lt, or, type SQL } from 'drizzle-orm';
import { fieldCrypto } from '../crypto/fields';
import { type CountyCtx, countyAudit } from '../lib/context';
import { newId } from '../lib/ids';
import { invalid } from '../lib/problem';
import type { Detail } from '../supervisees/access';
import { assessments, type SuperviseeRow } from '../supervisees/schema';

export const ASSESSMENT_KINDS = ['risk', 'psychological'] as const;
export type AssessmentKind = (typeof ASSESSMENT_KINDS)[number];

type AssessmentRow = typeof assessments.$inferSelect;

const ref = (id: string, column: 'notes_enc' | 'result_enc' = 'notes_enc') => ({
  table: 'assessments',
  column,
  rowId: id,
});
const crypto = (k: CountyCtx) => fieldCrypto(k.dataKeySecret, k.county.slug);

/** Evaluators see minimised data: neither the result nor the notes (issue #11). */
export const seesNotes = (detail: Detail) => detail !== 'minimal';

/** What an evaluator sees of an assessment: that one of this kind was made, when and by whom. */
const minimised = (r: AssessmentRow) => ({
  id: r.id,
  superviseeId: r.superviseeId,
  kind: r.kind,
  assessedOn: r.assessedOn,
  assessedBy: r.assessedBy,
  createdAt: r.createdAt,
});

/** The full item: `result` of a row written before results were encrypted reads as null. */
const shape = (r: AssessmentRow, result: string | null) => ({ ...minimised(r), result });

export async function addAssessment(
  k: CountyCtx,
  supervisee: SuperviseeRow,
  input: { kind: AssessmentKind; assessedOn: string; result: string; notes?: string | undefined },
) {
  if (input.assessedOn > k.today)
    throw invalid([{ path: 'assessedOn', message: 'must not be in the future' }]);
  const id = newId();
  const c = await crypto(k);
  const resultEnc = await c.encrypt(input.result, ref(id, 'result_enc'));
  const notesEnc = input.notes ? await c.encrypt(input.notes, ref(id)) : null;
  const [inserted] = await k.db.batch([
    k.db
      .insert(assessments)
      .values({
        id,
        superviseeId: supervisee.id,
        kind: input.kind,
        assessedOn: input.assessedOn,
        resultEnc,
        notesEnc,
        assessedBy: k.actorUserId,
      })
      .returning(),
    countyAudit(k, {
      action: 'assessment.create',
      targetType: 'supervisee',
      targetId: supervisee.id,
      detail: { assessmentId: id, kind: input.kind, notes: notesEnc !== null },
    }),
  ]);
  return { ...shape(inserted[0]!, input.result), notes: input.notes ?? null };
}

/**
 * A page of assessments, newest first (cursor: the last item's `assessedOn` and id). Results
 * and notes are decrypted for roles that may see them; one audit entry records the read.
 */
export async function listAssessments(
  k: CountyCtx,
  supervisee: SuperviseeRow,
  detail: Detail,
  f: { kind?: AssessmentKind | undefined; cursor?: string | undefined; limit: number },
) {
  let after: SQL | undefined;
  if (f.cursor) {
    const [on, id] = f.cursor.split('~');
    if (!on || !id) throw invalid([{ path: 'cursor', message: 'not a cursor this list gave' }]);
    after = or(lt(assessments.assessedOn, on), and(eq(assessments.assessedOn, on), lt(assessments.id, id)));
  }
  const rows = await k.db
    .select()
    .from(assessments)
    .where(
      and(
        eq(assessments.superviseeId, supervisee.id),
        f.kind ? eq(assessments.kind, f.kind) : undefined,
        after,
      ),
    )
    .orderBy(desc(assessments.assessedOn), desc(assessments.id))
    .limit(f.limit + 1);
  const page = rows.slice(0, f.limit);
  const last = page.at(-1);
  const nextCursor = rows.length > f.limit && last ? `${last.assessedOn}~${last.id}` : null;
  if (!seesNotes(detail)) return { items: page.map(minimised), nextCursor };

  const c = await crypto(k);
  const items = await Promise.all(
    page.map(async (r) => ({
      ...shape(r, r.resultEnc ? await c.decrypt(r.resultEnc, ref(r.id, 'result_enc')) : null),
      notes: r.notesEnc ? await c.decrypt(r.notesEnc, ref(r.id)) : null,
    })),
  );
  const decrypted = page.filter((r) => r.notesEnc || r.resultEnc).length;
  if (decrypted > 0) {
    const fields = [
      ...(page.some((r) => r.resultEnc) ? ['result'] : []),
      ...(page.some((r) => r.notesEnc) ? ['notes'] : []),
    ];
    await countyAudit(k, {
      action: 'assessment.read_personal',
      targetType: 'supervisee',
      targetId: supervisee.id,
      detail: { fields, assessments: decrypted },
    });
  }
  return { items, nextCursor };
}
