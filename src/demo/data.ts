/**
 * The demo of API.md "Running locally": counties deqing (德清县) and anji (安吉县), one provider
 * serving both, and the listed logins. Development only: `seedDemo` refuses anything else.
 */
import type { CountyRole } from '../auth/roles';
import { withCreditCheck } from '../lib/validators';
import { PRESETS, type PresetId } from '../rules';

export const DEMO_PASSWORD = 'demo-pass-2026';

export type DemoCounty = {
  slug: string;
  name: string;
  nameEn: string;
  regionCode: string;
  binding: string;
  /** The rule set the demo county runs on: one of each shipped preset. */
  preset: PresetId;
  townships: { id: string; name: string; nameEn: string }[];
};

export const DEMO_COUNTIES: DemoCounty[] = [
  {
    slug: 'deqing',
    name: '德清县',
    nameEn: 'Deqing County',
    regionCode: '330521',
    binding: 'COUNTY_DEQING',
    preset: 'deqing-2017',
    // The case study's pilot order: 武康 first, then 乾元 and 新市, then the whole county.
    townships: [
      { id: 'wukang', name: '武康街道', nameEn: 'Wukang' },
      { id: 'qianyuan', name: '乾元镇', nameEn: 'Qianyuan' },
      { id: 'xinshi', name: '新市镇', nameEn: 'Xinshi' },
      { id: 'wuyang', name: '舞阳街道', nameEn: 'Wuyang' },
      { id: 'fuxi', name: '阜溪街道', nameEn: 'Fuxi' },
      { id: 'xiazhuhu', name: '下渚湖街道', nameEn: 'Xiazhuhu' },
      { id: 'kangqian', name: '康乾街道', nameEn: 'Kangqian' },
      { id: 'luoshe', name: '洛舍镇', nameEn: 'Luoshe' },
      { id: 'zhongguan', name: '钟管镇', nameEn: 'Zhongguan' },
      { id: 'xinan', name: '新安镇', nameEn: "Xin'an" },
      { id: 'yuyue', name: '禹越镇', nameEn: 'Yuyue' },
      { id: 'leidian', name: '雷甸镇', nameEn: 'Leidian' },
      { id: 'moganshan', name: '莫干山镇', nameEn: 'Moganshan' },
    ],
  },
  {
    slug: 'anji',
    name: '安吉县',
    nameEn: 'Anji County',
    regionCode: '330523',
    binding: 'COUNTY_ANJI',
    preset: 'provincial-three-level',
    townships: [
      { id: 'dipu', name: '递铺街道', nameEn: 'Dipu' },
      { id: 'changshuo', name: '昌硕街道', nameEn: 'Changshuo' },
      { id: 'lingfeng', name: '灵峰街道', nameEn: 'Lingfeng' },
      { id: 'xiaoyuan', name: '孝源街道', nameEn: 'Xiaoyuan' },
      { id: 'xiaofeng', name: '孝丰镇', nameEn: 'Xiaofeng' },
      { id: 'tianzihu', name: '天子湖镇', nameEn: 'Tianzihu' },
      { id: 'meixi', name: '梅溪镇', nameEn: 'Meixi' },
      { id: 'tianhuangping', name: '天荒坪镇', nameEn: 'Tianhuangping' },
    ],
  },
];

export const DEMO_PROVIDER = {
  id: 'chenxi',
  name: '德清县晨曦社会工作服务中心',
  nameEn: 'Deqing Chenxi Social Work Service Centre',
  creditCode: withCreditCheck('52330521MJ8800001'),
  counties: ['deqing', 'anji'],
};

type DemoMembership = {
  county: string | null;
  role: CountyRole | 'platform_operator';
  providerId?: string;
  townshipIds?: string[];
};

export const DEMO_USERS: { id: string; login: string; displayName: string; memberships: DemoMembership[] }[] =
  [
    {
      id: 'u-platform-operator',
      login: 'platform.operator',
      displayName: '平台运营',
      memberships: [{ county: null, role: 'platform_operator' }],
    },
    {
      id: 'u-deqing-admin',
      login: 'deqing.admin',
      displayName: '德清司法局管理员',
      memberships: [{ county: 'deqing', role: 'bureau_admin' }],
    },
    {
      id: 'u-deqing-officer',
      login: 'deqing.officer',
      displayName: '德清司法局科员',
      memberships: [{ county: 'deqing', role: 'bureau_officer' }],
    },
    {
      id: 'u-deqing-office-wukang',
      login: 'deqing.office.wukang',
      displayName: '武康司法所',
      memberships: [{ county: 'deqing', role: 'office_officer', townshipIds: ['wukang'] }],
    },
    {
      id: 'u-deqing-finance',
      login: 'deqing.finance',
      displayName: '德清县财政局',
      memberships: [{ county: 'deqing', role: 'finance_officer' }],
    },
    {
      id: 'u-deqing-evaluator',
      login: 'deqing.evaluator',
      displayName: '第三方评价机构',
      memberships: [{ county: 'deqing', role: 'evaluator' }],
    },
    {
      id: 'u-deqing-civil',
      login: 'deqing.civil',
      displayName: '德清县民政局',
      memberships: [{ county: 'deqing', role: 'civil_affairs_officer' }],
    },
    {
      id: 'u-anji-admin',
      login: 'anji.admin',
      displayName: '安吉司法局管理员',
      memberships: [{ county: 'anji', role: 'bureau_admin' }],
    },
    {
      id: 'u-provider-admin',
      login: 'provider.admin',
      displayName: '晨曦社工中心主任',
      memberships: ['deqing', 'anji'].map((county) => ({
        county,
        role: 'provider_admin' as const,
        providerId: DEMO_PROVIDER.id,
      })),
    },
    {
      id: 'u-provider-worker',
      login: 'provider.worker',
      displayName: '晨曦社工',
      memberships: ['deqing', 'anji'].map((county) => ({
        county,
        role: 'provider_worker' as const,
        providerId: DEMO_PROVIDER.id,
      })),
    },
  ];

/**
 * Each demo county's programme (年度项目) of the current year, procured the November before, and
 * its contract with the demo provider: Deqing buys per supervisee-year as in 2017, Anji per
 * service hour (the provincial preset's pricing). The case study's other Deqing bidders make the
 * procurement record.
 */
export const demoProgrammes = (year: number) => [
  {
    county: 'deqing',
    programme: {
      id: `deqing-programme-${year}`,
      year,
      name: `德清县${year}年政府购买社区矫正社会工作服务项目`,
      budgetFen: 30_000_000,
      serviceContent:
        '走访、电话回访、教育学习、社区服务、个别教育、心理评估与咨询、技能培训与就业指导、困难帮扶、法制宣传',
    },
    procurement: {
      id: `deqing-procurement-${year}`,
      method: '竞争性磋商',
      announcedOn: `${year - 1}-11-10`,
      openedOn: `${year - 1}-11-24`,
      awardedOn: `${year - 1}-11-28`,
      bidders: [
        { name: DEMO_PROVIDER.name, creditCode: DEMO_PROVIDER.creditCode, providerId: DEMO_PROVIDER.id },
        { name: '德清县彩虹桥社会工作服务中心' },
        { name: '德清阳光里程社会工作服务中心' },
      ],
    },
    contract: {
      id: `deqing-contract-${year}-chenxi`,
      title: `德清县${year}年社区矫正社会工作服务购买服务协议`,
      pricing: { model: 'per_supervisee_year', unitPriceFen: 100_000, workFundsShare: 0.5 },
      // 合同金额: up to 200 supervisee-years, so work funds can be paid on signing.
      ceilingFen: 20_000_000 as number | null,
    },
  },
  {
    county: 'anji',
    programme: {
      id: `anji-programme-${year}`,
      year,
      name: `安吉县${year}年社区矫正社会工作服务项目`,
      budgetFen: 60_000_000,
      serviceContent: '按服务时数购买：走访、教育学习、社区服务、心理咨询、技能培训',
    },
    procurement: {
      id: `anji-procurement-${year}`,
      method: '竞争性磋商',
      announcedOn: `${year - 1}-11-12`,
      openedOn: `${year - 1}-11-26`,
      awardedOn: `${year - 1}-12-01`,
      bidders: [
        { name: DEMO_PROVIDER.name, creditCode: DEMO_PROVIDER.creditCode, providerId: DEMO_PROVIDER.id },
      ],
    },
    contract: {
      id: `anji-contract-${year}-chenxi`,
      title: `安吉县${year}年社区矫正社会工作服务购买服务协议`,
      pricing: { ...PRESETS['provincial-three-level'].ruleSet.pricing },
      ceilingFen: null as number | null,
    },
  },
];
