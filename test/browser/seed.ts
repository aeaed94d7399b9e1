/** Data the browser tests and screenshots rely on, registered through the public API. */
import { withIdCheck } from '../../src/lib/validators.ts';

export const DEMO_PASSWORD = 'demo-pass-2026';

export async function apiAs(baseUrl: string, login: string) {
  const res = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login, password: DEMO_PASSWORD }),
  });
  if (!res.ok) throw new Error(`sign-in as ${login}: ${res.status} ${await res.text()}`);
  const { accessToken } = (await res.json()) as { accessToken: string };
  return async <T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const r = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${accessToken}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
}

/** Personal data the public page must never show (checked by test/browser/public.test.ts). */
export const PEOPLE = [
  {
    name: '张建国',
    birth: '19780312',
    male: true,
    township: 'wukang',
    level: 'strict',
    keyPerson: true,
    phone: '13905720001',
  },
  {
    name: '李秀英',
    birth: '19850621',
    male: false,
    township: 'wukang',
    level: 'normal',
    keyPerson: false,
    phone: '13905720002',
  },
  {
    name: '王志强',
    birth: '19920105',
    male: true,
    township: 'wukang',
    level: 'lenient',
    keyPerson: false,
    phone: '13905720003',
  },
  {
    name: '陈美华',
    birth: '19800930',
    male: false,
    township: 'qianyuan',
    level: 'normal',
    keyPerson: false,
    phone: '13905720004',
  },
  {
    name: '赵小龙',
    birth: '19990418',
    male: true,
    township: 'xinshi',
    level: 'normal',
    keyPerson: false,
    phone: '13905720005',
  },
].map((x, i) => ({
  ...x,
  idNumber: withIdCheck(`330521${x.birth}${String(100 + i * 2 + (x.male ? 1 : 0)).slice(-3)}`),
  caseNumber: `DQ-2026-${String(i + 1).padStart(3, '0')}`,
}));

export async function seedBrowserData(baseUrl: string) {
  const admin = await apiAs(baseUrl, 'deqing.admin');
  const ids: string[] = [];
  for (const x of PEOPLE) {
    const created = await admin<{ id: string }>('POST', '/api/v1/counties/deqing/supervisees', {
      caseNumber: x.caseNumber,
      name: x.name,
      gender: x.male ? 'male' : 'female',
      birthDate: `${x.birth.slice(0, 4)}-${x.birth.slice(4, 6)}-${x.birth.slice(6)}`,
      idNumber: x.idNumber,
      townshipId: x.township,
      sentenceType: 'probation',
      termStart: '2026-01-05',
      termEnd: '2027-12-31',
      level: x.level,
      keyPerson: x.keyPerson,
      ableToWork: true,
      phone: x.phone,
      address: `德清县${x.township}测试路${x.caseNumber}号`,
      crimeType: '盗窃',
    });
    ids.push(created.id);
  }
  // The demo provider serves them all, through its social worker (who records their visits).
  for (const id of ids) {
    await admin('POST', `/api/v1/counties/deqing/supervisees/${id}/assignments`, {
      providerId: 'chenxi',
      workerUserId: 'u-provider-worker',
      from: '2026-01-05',
    });
  }
}
