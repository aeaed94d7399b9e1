/**
 * Control plane (CONTROL_DB): what is shared by every county. No personal data of supervisees
 * lives here; only the platform's own users.
 */
import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { auditAnchorTable, auditLogTable } from '../audit/schema';

const createdAt = () => text('created_at').notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`);

export const counties = sqliteTable('counties', {
  slug: text('slug').primaryKey(),
  name: text('name').notNull(),
  nameEn: text('name_en'),
  /** 行政区划代码, six digits. */
  regionCode: text('region_code').notNull().unique(),
  /** The wrangler.toml binding of the county's own D1 database, e.g. COUNTY_DEQING. */
  binding: text('binding').notNull().unique(),
  timezone: text('timezone').notNull().default('Asia/Shanghai'),
  status: text('status', { enum: ['active', 'suspended'] })
    .notNull()
    .default('active'),
  /** Name of the last county migration applied, written by `npm run db:migrate`. */
  schemaVersion: text('schema_version'),
  createdAt: createdAt(),
  updatedAt: text('updated_at'),
});

export const providers = sqliteTable('providers', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  nameEn: text('name_en'),
  /** 统一社会信用代码 (GB 32100), 18 characters with a check character. */
  creditCode: text('credit_code').notNull().unique(),
  contactName: text('contact_name'),
  contactPhone: text('contact_phone'),
  address: text('address'),
  status: text('status', { enum: ['active', 'inactive'] })
    .notNull()
    .default('active'),
  createdAt: createdAt(),
  updatedAt: text('updated_at'),
});

/** Which counties a provider serves: one organisation, several counties. */
export const providerCounties = sqliteTable(
  'provider_counties',
  {
    providerId: text('provider_id')
      .notNull()
      .references(() => providers.id),
    county: text('county')
      .notNull()
      .references(() => counties.slug),
    since: text('since').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.providerId, t.county] }), index('provider_counties_county').on(t.county)],
);

/** Qualification documents (登记证书, 资质证明…), verified by a county's civil-affairs officer. */
export const providerQualifications = sqliteTable(
  'provider_qualifications',
  {
    id: text('id').primaryKey(),
    providerId: text('provider_id')
      .notNull()
      .references(() => providers.id),
    kind: text('kind').notNull(),
    title: text('title').notNull(),
    documentNumber: text('document_number'),
    issuedOn: text('issued_on'),
    expiresOn: text('expires_on'),
    verifiedCounty: text('verified_county'),
    verifiedBy: text('verified_by'),
    verifiedAt: text('verified_at'),
    createdAt: createdAt(),
  },
  (t) => [index('provider_qualifications_provider').on(t.providerId)],
);

export const users = sqliteTable('users', {
  id: text('id').primaryKey(),
  /** Lower-case sign-in name; unique across the platform (one global identity). */
  login: text('login').notNull().unique(),
  displayName: text('display_name').notNull(),
  passwordHash: text('password_hash').notNull(),
  status: text('status', { enum: ['active', 'disabled'] })
    .notNull()
    .default('active'),
  createdAt: createdAt(),
  updatedAt: text('updated_at'),
});

export const memberships = sqliteTable(
  'memberships',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    /** Null only for the platform_operator role. */
    county: text('county').references(() => counties.slug),
    role: text('role').notNull(),
    providerId: text('provider_id').references(() => providers.id),
    /** JSON array of township ids for township-scoped roles; null = not township-scoped. */
    townshipIds: text('township_ids', { mode: 'json' }).$type<string[]>(),
    createdBy: text('created_by'),
    createdAt: createdAt(),
  },
  (t) => [
    index('memberships_user').on(t.userId),
    index('memberships_county').on(t.county),
    // NULLs are distinct in a SQLite unique index, so compare the optional parts coalesced.
    uniqueIndex('memberships_unique').on(
      t.userId,
      sql`coalesce(${t.county}, '')`,
      t.role,
      sql`coalesce(${t.providerId}, '')`,
    ),
  ],
);

export const sessions = sqliteTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    /** SHA-256 of the cookie secret; the secret itself only ever lives in the browser. */
    cookieHash: text('cookie_hash').notNull().unique(),
    csrfToken: text('csrf_token').notNull(),
    createdAt: text('created_at').notNull(),
    lastSeenAt: text('last_seen_at').notNull(),
    /** Absolute end of the session, whatever the activity. */
    expiresAt: text('expires_at').notNull(),
    revokedAt: text('revoked_at'),
  },
  (t) => [index('sessions_user').on(t.userId)],
);

/**
 * Sign-in attempts per login key in the current window, kept for unknown logins too so that a
 * wrong password and an unknown login behave the same (no account enumeration through lockout).
 */
export const loginThrottle = sqliteTable('login_throttle', {
  loginKey: text('login_key').primaryKey(),
  /**
   * Attempts counted in the window before their password was checked (src/auth/service.ts), less
   * the successful ones; above the allowance every attempt is refused until the window passes.
   */
  failures: integer('failures').notNull(),
  windowStartedAt: text('window_started_at').notNull(),
  /** No longer written: the lock is the window itself. Kept so the table needs no migration. */
  lockedUntil: text('locked_until'),
});

/** The platform's audit log: the same table as each county's (src/audit/schema.ts). */
export const platformAuditLog = auditLogTable();

/** The anchor of each county's audit log, outside the county's database (ADR 0005). */
export const countyAuditAnchors = auditAnchorTable();

export type CountyRow = typeof counties.$inferSelect;
export type ProviderRow = typeof providers.$inferSelect;
export type UserRow = typeof users.$inferSelect;
export type MembershipRow = typeof memberships.$inferSelect;
export type SessionRow = typeof sessions.$inferSelect;

// Control tables owned by feature folders.
export * from '../jobs/control-schema';
export * from '../notifications/control-schema';
