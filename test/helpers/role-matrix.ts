/**
 * The role matrix, read from the permission table: for a route's rule, the demo logins that the
 * rule refuses in a county. One call gives every route its role tests (unkey's
 * `runCommonRouteTests` is the model), so a route added to the table is covered the day it lands.
 */
import type { Rule } from '../../src/auth/permissions';
import { DEMO_USERS } from '../../src/demo/data';

export type Refusal = { login: string; roles: string[] };

/** Every demo login signed in that `rule` does not let through in `county`. */
export function refusedLogins(rule: Rule, county = 'deqing'): Refusal[] {
  if (rule.access === 'public' || rule.access === 'signed_in') return [];
  return DEMO_USERS.flatMap((u) => {
    const isOperator = u.memberships.some((m) => m.role === 'platform_operator');
    const here = u.memberships.filter((m) => m.county === county).map((m) => m.role as string);
    const allowed =
      rule.access === 'platform'
        ? isOperator
        : here.some((role) => (rule.roles as readonly string[]).includes(role)) ||
          (rule.platformOperator === true && isOperator);
    return allowed
      ? []
      : [{ login: u.login, roles: here.length ? here : isOperator ? ['platform_operator'] : [] }];
  });
}
