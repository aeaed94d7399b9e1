/** Valid test data: ID numbers with correct check digits, supervisee bodies. */
import { withIdCheck } from '../../src/lib/validators';

let serial = 0;

/** A valid 居民身份证号 for a Deqing-born person (330521), unique within the run. */
export function idNumber(birth = '19900101', male = true): string {
  serial += 1;
  const seq = String((serial * 2 + (male ? 1 : 0)) % 1000).padStart(3, '0');
  return withIdCheck(`330521${birth}${seq}`);
}

export function superviseeBody(patch: Record<string, unknown> = {}) {
  serial += 1;
  return {
    caseNumber: `DQ-${Date.now().toString(36)}-${serial}`,
    name: `测试对象${serial}`,
    gender: 'male',
    birthDate: '1990-01-01',
    idNumber: idNumber(),
    townshipId: 'wukang',
    sentenceType: 'probation',
    termStart: '2026-01-01',
    termEnd: '2027-06-30',
    level: 'normal',
    keyPerson: false,
    ableToWork: true,
    phone: '13800000000',
    address: '德清县武康街道测试路1号',
    ...patch,
  };
}
