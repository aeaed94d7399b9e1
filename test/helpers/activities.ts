/**
 * Activities written straight into a county database, for reports that read them (the
 * activities API is built elsewhere). Statements stay under D1's 100 bound parameters.
 */

export type SeedActivity = {
  id?: string;
  type: string;
  occurredOn: string;
  durationMinutes: number;
  providerId?: string | null;
  townshipId?: string;
  status?: 'active' | 'voided';
  aidAmountFen?: number | null;
  amends?: string | null;
  /** Participants by supervisee id; `minutes` defaults to the activity's duration. */
  participants?: { superviseeId: string; minutes?: number }[];
};

const chunks = <T>(rows: T[], size: number) => {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
};

const placeholders = (rows: number, cols: number) =>
  Array.from({ length: rows }, () => `(${Array.from({ length: cols }, () => '?').join(', ')})`).join(', ');

export function activityStatements(d1: D1Database, list: SeedActivity[]): D1PreparedStatement[] {
  const rows = list.map((a) => ({ ...a, id: a.id ?? crypto.randomUUID() }));
  const statements: D1PreparedStatement[] = [];
  for (const chunk of chunks(rows, 11)) {
    statements.push(
      d1
        .prepare(
          `INSERT INTO activities (id, type, occurred_on, duration_minutes, provider_id, township_id, status, aid_amount_fen, amends) VALUES ${placeholders(chunk.length, 9)}`,
        )
        .bind(
          ...chunk.flatMap((a) => [
            a.id,
            a.type,
            a.occurredOn,
            a.durationMinutes,
            a.providerId === undefined ? 'chenxi' : a.providerId,
            a.townshipId ?? 'wukang',
            a.status ?? 'active',
            a.aidAmountFen ?? null,
            a.amends ?? null,
          ]),
        ),
    );
  }
  const participants = rows.flatMap((a) =>
    (a.participants ?? []).map((p) => [a.id, p.superviseeId, p.minutes ?? a.durationMinutes] as const),
  );
  for (const chunk of chunks(participants, 33)) {
    statements.push(
      d1
        .prepare(
          `INSERT INTO activity_participants (activity_id, supervisee_id, minutes) VALUES ${placeholders(chunk.length, 3)}`,
        )
        .bind(...chunk.flat()),
    );
  }
  return statements;
}

export async function seedActivities(d1: D1Database, list: SeedActivity[]) {
  const statements = activityStatements(d1, list);
  for (const chunk of chunks(statements, 200)) await d1.batch(chunk);
}

/**
 * Bare supervisee rows (placeholder ciphertext) with their key-person flag history, for
 * aggregate tests that need many of them quickly. `keyPersonFrom`: the day they became one.
 */
export async function seedSupervisees(
  d1: D1Database,
  list: { id: string; townshipId?: string; keyPersonFrom?: string }[],
) {
  const statements: D1PreparedStatement[] = [];
  for (const chunk of chunks(list, 8)) {
    statements.push(
      d1
        .prepare(
          `INSERT INTO supervisees (id, case_number, name, gender, birth_date, id_number_enc, id_number_hash, township_id, sentence_type, term_start, term_end, level) VALUES ${placeholders(chunk.length, 12)}`,
        )
        .bind(
          ...chunk.flatMap((s) => [
            s.id,
            `SEED-${s.id}`,
            `种子${s.id.slice(0, 6)}`,
            'male',
            '1980-01-01',
            'v1.seed.seed',
            `hash-${s.id}`,
            s.townshipId ?? 'wukang',
            'probation',
            '2015-01-01',
            '2017-12-31',
            'normal',
          ]),
        ),
    );
  }
  const flags = list.flatMap((s) => [
    [crypto.randomUUID(), s.id, 'key_person', 0, '2015-01-01'] as const,
    ...(s.keyPersonFrom ? [[crypto.randomUUID(), s.id, 'key_person', 1, s.keyPersonFrom] as const] : []),
  ]);
  for (const chunk of chunks(flags, 20)) {
    statements.push(
      d1
        .prepare(
          `INSERT INTO supervisee_flags (id, supervisee_id, flag, value, effective_from) VALUES ${placeholders(chunk.length, 5)}`,
        )
        .bind(...chunk.flat()),
    );
  }
  await d1.batch(statements);
}
