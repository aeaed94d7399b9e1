/**
 * Activities written straight into a county database, for tests of what reads them (compliance,
 * worklists) without going through the activities API.
 */

let serial = 0;

export type TestActivity = {
  type: string;
  occurredOn: string;
  /** The activity's duration; each participant gets it unless `participants` says otherwise. */
  minutes?: number;
  participants: (string | { id: string; minutes: number })[];
  townshipId?: string;
  providerId?: string | null;
  status?: 'active' | 'voided';
};

/** Inserts the activities (with their participants) in one batch; returns their ids. */
export async function insertActivities(db: D1Database, list: TestActivity[]): Promise<string[]> {
  const ids: string[] = [];
  const statements: D1PreparedStatement[] = [];
  for (const a of list) {
    serial += 1;
    const id = `test-act-${Date.now().toString(36)}-${serial}`;
    ids.push(id);
    const minutes = a.minutes ?? 60;
    statements.push(
      db
        .prepare(
          `INSERT INTO activities (id, type, occurred_on, duration_minutes, provider_id, township_id, status)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
        )
        .bind(
          id,
          a.type,
          a.occurredOn,
          minutes,
          a.providerId === undefined ? 'chenxi' : a.providerId,
          a.townshipId ?? 'wukang',
          a.status ?? 'active',
        ),
    );
    for (const p of a.participants) {
      const [superviseeId, own] = typeof p === 'string' ? [p, minutes] : [p.id, p.minutes];
      statements.push(
        db
          .prepare('INSERT INTO activity_participants (activity_id, supervisee_id, minutes) VALUES (?, ?, ?)')
          .bind(id, superviseeId, own),
      );
    }
  }
  if (statements.length) await db.batch(statements);
  return ids;
}

/** Assigns a supervisee to a provider (and optionally one of its workers) from a day on. */
export async function assign(
  db: D1Database,
  superviseeId: string,
  opts: { providerId?: string; workerUserId?: string | null; from?: string; to?: string | null } = {},
) {
  serial += 1;
  await db
    .prepare(
      'INSERT INTO assignments (id, supervisee_id, provider_id, worker_user_id, from_date, to_date) VALUES (?, ?, ?, ?, ?, ?)',
    )
    .bind(
      `test-asg-${serial}-${Date.now().toString(36)}`,
      superviseeId,
      opts.providerId ?? 'chenxi',
      opts.workerUserId ?? null,
      opts.from ?? '2000-01-01',
      opts.to ?? null,
    )
    .run();
}
