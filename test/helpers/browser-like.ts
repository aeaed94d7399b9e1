/** A cookie-carrying client, as a browser would post the console's forms. */
import { exports } from 'cloudflare:workers';
import { BASE } from './http';

export class CookieClient {
  cookies = new Map<string, string>();

  async fetch(
    method: string,
    path: string,
    init: {
      form?: Record<string, string> | URLSearchParams;
      json?: unknown;
      multipart?: FormData;
      headers?: Record<string, string>;
    } = {},
  ) {
    const headers: Record<string, string> = { origin: BASE, ...init.headers };
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    let body: string | FormData | undefined;
    if (init.form) {
      body = new URLSearchParams(init.form).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    } else if (init.multipart) {
      body = init.multipart;
    } else if (init.json !== undefined) {
      body = JSON.stringify(init.json);
      headers['content-type'] = 'application/json';
    }
    const res = await exports.default.fetch(
      new Request(`${BASE}${path}`, { method, headers, body, redirect: 'manual' }),
    );
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const [name, ...rest] = pair!.split('=');
      const value = rest.join('=');
      const expired = attrs.some((a) => /max-age=0/i.test(a.trim())) || value === '';
      if (expired) this.cookies.delete(name!.trim());
      else this.cookies.set(name!.trim(), value);
    }
    return { status: res.status, headers: res.headers, text: await res.text() };
  }

  /** The CSRF token the console embeds in its forms. */
  static csrfOf(html: string): string {
    const m = /name="_csrf" value="([^"]+)"/.exec(html);
    if (!m) throw new Error('no CSRF field on the page');
    return m[1]!;
  }
}
