/**
 * One county's database (COUNTY_<SLUG>). Everything about the county's supervisees and the
 * services bought for them lives here, physically apart from every other county.
 *
 * Columns ending in `_enc` hold AES-GCM ciphertext (see src/crypto); `id_number_hash` is a keyed
 * hash for exact look-up. Plaintext personal identifiers never reach this database.
 */
import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

const createdAt = () => text('created_at').notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`);

/** 乡镇/街道, each with its 司法所. */
export const townships = sqliteTable('townships', {
  id: text('id').primaryKey(),
  name: text('name').notNull().unique(),
  nameEn: text('name_en'),
  /** 乡级行政区划代码 (nine digits), when known. */
  code: text('code'),
  sortOrder: integer('sort_order').notNull().default(0),
  createdAt: createdAt(),
});

export const supervisees = sqliteTable(
  'supervisees',
  {
    id: text('id').primaryKey(),
    caseNumber: text('case_number').notNull().unique(),
    name: text('name').notNull(),
    gender: text('gender', { enum: ['male', 'female'] }).notNull(),
    birthDate: text('birth_date').notNull(),
    idNumberEnc: text('id_number_enc').notNull(),
    idNumberHash: text('id_number_hash').notNull(),
    phoneEnc: text('phone_enc'),
    addressEnc: text('address_enc'),
    townshipId: text('township_id')
      .notNull()
      .references(() => townships.id),
    sentenceType: text('sentence_type', {
      enum: ['control', 'probation', 'parole', 'temporary_release'],
    }).notNull(),
    crimeType: text('crime_type'),
    termStart: text('term_start').notNull(),
    termEnd: text('term_end').notNull(),
    status: text('status', { enum: ['active', 'released', 'transferred', 'revoked'] })
      .notNull()
      .default('active'),
    /** Optimistic-concurrency counter behind the ETag. */
    version: integer('version').notNull().default(1),
    createdAt: createdAt(),
    updatedAt: text('updated_at'),
  },
  (t) => [
    uniqueIndex('supervisees_id_number_hash').on(t.idNumberHash),
    index('supervisees_township').on(t.townshipId),
    index('supervisees_term').on(t.termStart, t.termEnd),
  ],
);

/** 管理级别 history: each row holds from `effective_from` until the next row's. */
export const superviseeLevels = sqliteTable(
  'supervisee_levels',
  {
    id: text('id').primaryKey(),
    superviseeId: text('supervisee_id')
      .notNull()
      .references(() => supervisees.id),
    level: text('level').notNull(),
    effectiveFrom: text('effective_from').notNull(),
    reason: text('reason'),
    createdBy: text('created_by'),
    createdAt: createdAt(),
  },
  (t) => [index('supervisee_levels_supervisee').on(t.superviseeId, t.effectiveFrom)],
);

/** Effective-dated flags (`key_person`, `able_to_work`), kept as history like levels. */
export const superviseeFlags = sqliteTable(
  'supervisee_flags',
  {
    id: text('id').primaryKey(),
    superviseeId: text('supervisee_id')
      .notNull()
      .references(() => supervisees.id),
    flag: text('flag', { enum: ['key_person', 'able_to_work'] }).notNull(),
    value: integer('value', { mode: 'boolean' }).notNull(),
    effectiveFrom: text('effective_from').notNull(),
    createdBy: text('created_by'),
    createdAt: createdAt(),
  },
  (t) => [index('supervisee_flags_supervisee').on(t.superviseeId, t.flag, t.effectiveFrom)],
);

export const auditLog = sqliteTable(
  'audit_log',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    at: text('at').notNull(),
    actorUserId: text('actor_user_id'),
    action: text('action').notNull(),
    targetType: text('target_type').notNull(),
    targetId: text('target_id'),
    requestId: text('request_id'),
    detail: text('detail'),
    hash: text('hash'),
  },
  (t) => [index('audit_log_target').on(t.targetType, t.targetId)],
);

export type TownshipRow = typeof townships.$inferSelect;
export type SuperviseeRow = typeof supervisees.$inferSelect;
