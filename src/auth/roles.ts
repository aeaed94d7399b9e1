/** Role codes of DESIGN.md §1. `platform_operator` is the only role held outside a county. */
export const COUNTY_ROLES = [
  'bureau_admin',
  'bureau_officer',
  'office_officer',
  'provider_admin',
  'provider_worker',
  'finance_officer',
  'civil_affairs_officer',
  'evaluator',
  'auditor',
] as const;
export const ROLES = ['platform_operator', ...COUNTY_ROLES] as const;

export type CountyRole = (typeof COUNTY_ROLES)[number];
export type Role = (typeof ROLES)[number];

export const PROVIDER_ROLES: readonly CountyRole[] = ['provider_admin', 'provider_worker'];
export const BUREAU_ROLES: readonly CountyRole[] = ['bureau_admin', 'bureau_officer'];

/** A user's right to act in one county (or on the platform when `county` is null). */
export type Membership = {
  id: string;
  county: string | null;
  role: Role;
  /** Set for provider roles: the provider the user works for. */
  providerId?: string;
  /** Set for township-scoped roles (office_officer): the townships they cover. */
  townshipIds?: string[];
};

export const ROLE_LABELS: Record<Role, { zh: string; en: string }> = {
  platform_operator: { zh: '平台运营', en: 'Platform operator' },
  bureau_admin: { zh: '县司法局管理员', en: 'Bureau administrator' },
  bureau_officer: { zh: '县司法局工作人员', en: 'Bureau officer' },
  office_officer: { zh: '司法所工作人员', en: 'Judicial office officer' },
  provider_admin: { zh: '社工组织负责人', en: 'Provider administrator' },
  provider_worker: { zh: '社工', en: 'Social worker' },
  finance_officer: { zh: '县财政局', en: 'Finance officer' },
  civil_affairs_officer: { zh: '县民政局', en: 'Civil-affairs officer' },
  evaluator: { zh: '第三方评价机构', en: 'Evaluator' },
  auditor: { zh: '审计监督', en: 'Auditor' },
};
