/**
 * UI strings. Chinese is the default; English is chosen with ?lang=en (remembered in a cookie).
 * Strings every page shares live in STRINGS; a page's own strings sit next to it as `Msg`s.
 */
import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';

export type Lang = 'zh' | 'en';
export type Msg = { zh: string; en: string };

const STRINGS = {
  appName: { zh: '帮教 · 社区矫正服务平台', en: 'Bangjiao · community-correction services' },
  signIn: { zh: '登录', en: 'Sign in' },
  signOut: { zh: '退出', en: 'Sign out' },
  login: { zh: '账号', en: 'Login' },
  password: { zh: '密码', en: 'Password' },
  invalidLogin: { zh: '账号或密码错误。', en: 'The login or password is wrong.' },
  locked: { zh: '失败次数过多，请稍后再试。', en: 'Too many failed attempts; try again later.' },
  welcome: { zh: '欢迎', en: 'Welcome' },
  yourRoles: { zh: '您在本县的角色', en: 'Your roles in this county' },
  otherCounties: { zh: '切换县区', en: 'Switch county' },
  apiDocs: { zh: '接口文档', en: 'API reference' },
  noCounty: { zh: '您的账号尚未加入任何县区。', en: 'Your account has no county yet.' },
  language: { zh: 'English', en: '中文' },
  skipToContent: { zh: '跳到正文', en: 'Skip to content' },
  mainNav: { zh: '主导航', en: 'Main navigation' },
  navDashboard: { zh: '首页', en: 'Dashboard' },
  navSupervisees: { zh: '矫正对象', en: 'Supervisees' },
  navRecord: { zh: '记录服务', en: 'Record a service' },
  navWorklist: { zh: '待办', en: 'Worklist' },
  navLedgers: { zh: '台账', en: 'Ledgers' },
  navImports: { zh: '数据导入', en: 'Imports' },
  navRuleSets: { zh: '规则', en: 'Rules' },
  navUsers: { zh: '用户', en: 'Users' },
  navContracts: { zh: '合同与资金', en: 'Contracts and money' },
  navIncidents: { zh: '重大事项', en: 'Incidents' },
  navInbox: { zh: '消息', en: 'Inbox' },
  navPlatform: { zh: '平台管理', en: 'Platform' },
  navPublic: { zh: '信息公开', en: 'Public page' },
  navReports: { zh: '统计', en: 'Statistics' },
  save: { zh: '保存', en: 'Save' },
  back: { zh: '返回', en: 'Back' },
  cancel: { zh: '取消', en: 'Cancel' },
  search: { zh: '搜索', en: 'Search' },
  filter: { zh: '筛选', en: 'Filter' },
  all: { zh: '全部', en: 'All' },
  yes: { zh: '是', en: 'Yes' },
  no: { zh: '否', en: 'No' },
  any: { zh: '不限', en: 'Any' },
  next: { zh: '下一页', en: 'Next page' },
  none: { zh: '暂无', en: 'None' },
  formHasErrors: { zh: '表单有误，请按提示修改。', en: 'The form has errors; see the notes by each field.' },
  saved: { zh: '已保存。', en: 'Saved.' },
  stale: {
    zh: '该记录已被他人修改，请刷新后重新填写。',
    en: 'Someone changed this record meanwhile; reload it and apply your change again.',
  },
  notFoundTitle: { zh: '找不到页面', en: 'Not found' },
  notFound: {
    zh: '该页面或记录不存在，或您无权查看。',
    en: 'This page or record does not exist, or you may not see it.',
  },
  forbiddenTitle: { zh: '无权操作', en: 'Not allowed' },
  county: { zh: '县区', en: 'County' },
  township: { zh: '乡镇（街道）', en: 'Township' },
  provider: { zh: '社工组织', en: 'Provider' },
  status: { zh: '状态', en: 'Status' },
  actions: { zh: '操作', en: 'Actions' },
  required: { zh: '必填', en: 'required' },
} as const;

export type StringKey = keyof typeof STRINGS;
export type T = (key: StringKey) => string;

const LANG_COOKIE = 'bj_lang';

export function langOf(c: Context): Lang {
  const asked = c.req.query('lang');
  if (asked === 'en' || asked === 'zh') {
    setCookie(c, LANG_COOKIE, asked, { path: '/', sameSite: 'Lax', secure: true, maxAge: 365 * 86400 });
    return asked;
  }
  return getCookie(c, LANG_COOKIE) === 'en' ? 'en' : 'zh';
}

export const translator =
  (lang: Lang): T =>
  (key) =>
    STRINGS[key][lang];

/** A page's own string in the reader's language. */
export const say =
  (lang: Lang) =>
  (msg: Msg): string =>
    msg[lang];

/** The current address with `lang` switched, other query parameters kept. */
export function switchLangHref(url: string, to: Lang): string {
  const u = new URL(url);
  u.searchParams.set('lang', to);
  return `${u.pathname}?${u.searchParams.toString()}`;
}
