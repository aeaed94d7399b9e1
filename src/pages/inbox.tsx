/** My inbox across counties (the in-app notifications the background jobs write). */
import { and, desc, eq, isNull } from 'drizzle-orm';
import { controlDb } from '../db';
import { createRouter } from '../lib/router';
import { nowInstant } from '../lib/time';
import { notifications } from '../notifications/control-schema';
import type { Msg } from './i18n';
import { Csrf, Page, pageCtx } from './kit';

const M = {
  title: { zh: '消息', en: 'Inbox' },
  empty: { zh: '没有消息。', en: 'No notifications.' },
  markRead: { zh: '标为已读', en: 'Mark read' },
  markAll: { zh: '全部标为已读', en: 'Mark all read' },
  unread: { zh: '未读', en: 'unread' },
  open: { zh: '查看', en: 'Open' },
} satisfies Record<string, Msg>;

/** Only links into this site: a notification's link is data, and must not send anyone away. */
const safeLink = (link: string | null) => (link?.startsWith('/') && !link.startsWith('//') ? link : null);

export const inboxPages = createRouter()
  .get('/inbox', async (c) => {
    const p = await pageCtx(c);
    const { s, lang } = p;
    const rows = await controlDb(c.env)
      .select()
      .from(notifications)
      .where(eq(notifications.userId, p.principal.user.id))
      .orderBy(desc(notifications.createdAt))
      .limit(100);
    const names = new Map(p.myCounties.map((k) => [k.slug, lang === 'zh' ? k.name : (k.nameEn ?? k.name)]));
    return c.html(
      <Page p={p} title={s(M.title)}>
        <div class="page-head">
          <h1>{s(M.title)}</h1>
          {rows.some((r) => !r.readAt) ? (
            <form method="post" action="/inbox/read-all" class="inline">
              <Csrf p={p} />
              <button type="submit" class="secondary">
                {s(M.markAll)}
              </button>
            </form>
          ) : null}
        </div>
        {rows.length === 0 ? (
          <p class="card">{s(M.empty)}</p>
        ) : (
          <ul class="card inbox">
            {rows.map((n) => {
              const link = safeLink(n.link);
              return (
                <li class={n.readAt ? 'read' : 'unread'}>
                  <div>
                    {n.readAt ? null : <span class="badge warn">{s(M.unread)}</span>}
                    <strong>{lang === 'zh' ? n.titleZh : n.titleEn}</strong>
                    <div class="muted">
                      {names.get(n.county) ?? n.county} · {n.createdAt.slice(0, 16).replace('T', ' ')} UTC
                    </div>
                  </div>
                  <div class="nowrap">
                    {link ? <a href={link}>{s(M.open)}</a> : null}{' '}
                    {n.readAt ? null : (
                      <form method="post" action={`/inbox/${n.id}/read`} class="inline">
                        <Csrf p={p} />
                        <button type="submit" class="secondary small">
                          {s(M.markRead)}
                        </button>
                      </form>
                    )}
                  </div>
                </li>
              );
            })}
          </ul>
        )}
      </Page>,
    );
  })
  .post('/inbox/read-all', async (c) => {
    await controlDb(c.env)
      .update(notifications)
      .set({ readAt: nowInstant() })
      .where(and(eq(notifications.userId, c.var.principal!.user.id), isNull(notifications.readAt)));
    return c.redirect('/inbox', 303);
  })
  .post('/inbox/:id/read', async (c) => {
    await controlDb(c.env)
      .update(notifications)
      .set({ readAt: nowInstant() })
      .where(
        and(eq(notifications.id, c.req.param('id')), eq(notifications.userId, c.var.principal!.user.id)),
      );
    return c.redirect('/inbox', 303);
  });
