/**
 * Who sees which aggregates (ADR 0402). Statistics carry no personal fields, so the oversight
 * roles (finance, civil affairs, evaluator, auditor) see the whole county; a township office
 * sees its townships and a provider's staff their provider's work, as elsewhere.
 */
import type { Membership } from '../auth/roles';

export type ReportScope = { all: true } | { all: false; townshipIds: string[]; providerIds: string[] };

const COUNTY_WIDE = new Set([
  'bureau_admin',
  'bureau_officer',
  'finance_officer',
  'civil_affairs_officer',
  'evaluator',
  'auditor',
]);

export function reportScope(memberships: readonly Membership[]): ReportScope | null {
  const townshipIds: string[] = [];
  const providerIds: string[] = [];
  let any = false;
  for (const m of memberships) {
    if (COUNTY_WIDE.has(m.role)) return { all: true };
    if (m.role === 'office_officer') {
      townshipIds.push(...(m.townshipIds ?? []));
      any = true;
    }
    if ((m.role === 'provider_admin' || m.role === 'provider_worker') && m.providerId) {
      providerIds.push(m.providerId);
      any = true;
    }
  }
  return any ? { all: false, townshipIds, providerIds } : null;
}
