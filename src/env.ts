import type { DrizzleD1Database } from 'drizzle-orm/d1';
import type { Membership } from './auth/roles';
import type { CountyRow, SessionRow, UserRow } from './db/control-schema';
import type * as countySchema from './db/county-schema';
import type { JobMessage } from './jobs/messages';

/** Worker bindings: D1 databases, vars and secrets (see wrangler.toml and README "Deploying"). */
export type Bindings = {
  CONTROL_DB: D1Database;
  /** Background work: one message per county per cron tick, and webhook delivery attempts. */
  JOBS: Queue<JobMessage>;
  /** Evidence files, encrypted by the app before they are stored (R2; on disk when self-hosted). */
  EVIDENCE: R2Bucket;
  /** `development` enables the demo seed; anything else is a deployed environment. */
  ENVIRONMENT: string;
  /** Test and development only: pins the clock's civil date (src/lib/time.ts); production ignores it. */
  TODAY?: string;
  /** JSON array of ES256 private JWKs, each with a `kid`; the first one signs, all verify. */
  JWT_PRIVATE_KEYS: string;
  /** Secret mixed into every password hash; never stored in a database. */
  PASSWORD_PEPPER: string;
  /** Root secret from which each county's data-encryption and look-up keys are derived. */
  DATA_KEY_SECRET: string;
  SESSION_IDLE_MINUTES?: string;
  SESSION_ABSOLUTE_HOURS?: string;
  ACCESS_TOKEN_TTL_SECONDS?: string;
  LOCKOUT_MAX_FAILURES?: string;
  LOCKOUT_WINDOW_MINUTES?: string;
} & {
  /** One D1 database per county; only `countyDatabase()` may read these. */
  [countyBinding: `COUNTY_${string}`]: D1Database;
};

export type CountyDb = DrizzleD1Database<typeof countySchema>;

/** Who is calling, loaded once per request from the control database. */
export type Principal = {
  user: UserRow;
  session: SessionRow;
  memberships: Membership[];
  /** How the caller authenticated: pages use the cookie (and need CSRF), API clients a Bearer token. */
  via: 'bearer' | 'cookie';
};

export type Variables = {
  requestId: string;
  principal: Principal | null;
  /** Set on `/counties/:county/…` routes once the county is known to exist and be active. */
  county: CountyRow;
  countyDb: CountyDb;
  /** The same database, raw, for statements drizzle cannot express. */
  countyD1: D1Database;
  /** The caller's memberships in `county`. */
  countyMemberships: Membership[];
};

export type AppEnv = { Bindings: Bindings; Variables: Variables };

declare global {
  namespace Cloudflare {
    interface Env extends Bindings {}
    interface GlobalProps {
      mainModule: typeof import('./index');
    }
  }
}
