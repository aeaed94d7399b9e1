/**
 * 社区矫正对象 and what is known about them. Columns ending in `_enc` hold ciphertext
 * (src/crypto/fields.ts); `id_number_hash` is a keyed hash for exact look-up by ID number.
 */
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { createdAt } from '../db/columns';
import { townships } from '../townships/schema';

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
    /** Current values, kept in step with the effective-dated history below, for lists and filters. */
    level: text('level').notNull(),
    keyPerson: integer('key_person', { mode: 'boolean' }).notNull().default(false),
    ableToWork: integer('able_to_work', { mode: 'boolean' }).notNull().default(true),
    /** Optimistic-concurrency counter behind the ETag. */
    version: integer('version').notNull().default(1),
    createdBy: text('created_by'),
    createdAt: createdAt(),
    updatedAt: text('updated_at'),
  },
  (t) => [
    uniqueIndex('supervisees_id_number_hash').on(t.idNumberHash),
    index('supervisees_township').on(t.townshipId),
    index('supervisees_term').on(t.termStart, t.termEnd),
    index('supervisees_name').on(t.name),
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

/** 信息档案 of the case study: employment, family, interests, health, difficulties. */
export const superviseeProfiles = sqliteTable(
  'supervisee_profiles',
  {
    superviseeId: text('supervisee_id')
      .primaryKey()
      .references(() => supervisees.id),
    employment: text('employment'),
    family: text('family'),
    interests: text('interests'),
    healthEnc: text('health_enc'),
    difficulties: text('difficulties'),
    /** The day the supervisee joined volunteer service (义工), if they did. */
    volunteerSince: text('volunteer_since'),
    /** Optimistic-concurrency counter behind the profile's ETag. */
    version: integer('version').notNull().default(1),
    updatedBy: text('updated_by'),
    updatedAt: text('updated_at'),
  },
  (t) => [index('supervisee_profiles_volunteer').on(t.volunteerSince)],
);

/**
 * Risk and psychological assessments; the result and the notes are encrypted (ADR 0403). The
 * result is always written; the column is nullable only because SQLite cannot add a NOT NULL
 * column without a default to an existing table.
 */
export const assessments = sqliteTable(
  'assessments',
  {
    id: text('id').primaryKey(),
    superviseeId: text('supervisee_id')
      .notNull()
      .references(() => supervisees.id),
    kind: text('kind', { enum: ['risk', 'psychological'] }).notNull(),
    assessedOn: text('assessed_on').notNull(),
    resultEnc: text('result_enc'),
    notesEnc: text('notes_enc'),
    assessedBy: text('assessed_by'),
    createdAt: createdAt(),
  },
  (t) => [index('assessments_supervisee').on(t.superviseeId, t.assessedOn)],
);

/** Which provider, and which of its workers, serves whom, from when to when. */
export const assignments = sqliteTable(
  'assignments',
  {
    id: text('id').primaryKey(),
    superviseeId: text('supervisee_id')
      .notNull()
      .references(() => supervisees.id),
    providerId: text('provider_id').notNull(),
    workerUserId: text('worker_user_id'),
    fromDate: text('from_date').notNull(),
    toDate: text('to_date'),
    createdBy: text('created_by'),
    createdAt: createdAt(),
  },
  (t) => [
    index('assignments_supervisee').on(t.superviseeId, t.fromDate),
    index('assignments_provider').on(t.providerId, t.fromDate),
    index('assignments_worker').on(t.workerUserId),
  ],
);

export type SuperviseeRow = typeof supervisees.$inferSelect;
