/** UI strings. Chinese is the default; English is chosen with ?lang=en (remembered in a cookie). */
import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';

export type Lang = 'zh' | 'en';

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
