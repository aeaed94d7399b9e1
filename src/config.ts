import type { Bindings } from './env';

export type AppConfig = {
  sessionIdleMinutes: number;
  sessionAbsoluteHours: number;
  accessTokenTtlSeconds: number;
  lockoutMaxFailures: number;
  lockoutWindowMinutes: number;
  development: boolean;
};

const num = (value: string | undefined, fallback: number): number => {
  const n = Number(value);
  return value !== undefined && value !== '' && Number.isFinite(n) && n > 0 ? n : fallback;
};

/** Tunables from Worker vars, with the defaults of DESIGN.md §5. */
export function appConfig(env: Bindings): AppConfig {
  return {
    sessionIdleMinutes: num(env.SESSION_IDLE_MINUTES, 30),
    sessionAbsoluteHours: num(env.SESSION_ABSOLUTE_HOURS, 12),
    accessTokenTtlSeconds: num(env.ACCESS_TOKEN_TTL_SECONDS, 900),
    lockoutMaxFailures: num(env.LOCKOUT_MAX_FAILURES, 5),
    lockoutWindowMinutes: num(env.LOCKOUT_WINDOW_MINUTES, 15),
    development: env.ENVIRONMENT === 'development',
  };
}
