/** The county's users and their roles (bureau admin; the platform operator when onboarding). */
import { asc, eq } from 'drizzle-orm';
import { PASSWORD_MIN_LENGTH, PASSWORD_RULE } from '../auth/passwords';
import { COUNTY_ROLES, ROLE_LABELS } from '../auth/roles';
import { controlDb } from '../db';
import { providerCounties, providers } from '../db/control-schema';
import type { Ctx } from '../lib/context';
import { createRouter } from '../lib/router';
import { grantMembership, listMembers, NewMember, revokeMembership } from '../platform/county-users';
import { townships } from '../townships/schema';
import type { Msg } from './i18n';
import {
  base,
  Csrf,
  type Errors,
  FormAlert,
  Input,
  Notice,
  Page,
  type PageCtx,
  pageCtx,
  problemErrors,
  readForm,
  Select,
  zodErrors,
} from './kit';

const M = {
  title: { zh: '用户与角色', en: 'Users and roles' },
  login: { zh: '账号', en: 'Login' },
  displayName: { zh: '姓名', en: 'Name' },
  role: { zh: '角色', en: 'Role' },
  scope: { zh: '范围', en: 'Scope' },
  add: { zh: '添加用户或角色', en: 'Add a user or a role' },
  addHint: {
    zh: `已有账号只需填写账号和角色；新账号还需填写姓名和初始密码。${PASSWORD_RULE.zh}`,
    en: `For an existing login give the login and role; a new one also needs a name and a first password. ${PASSWORD_RULE.en}`,
  },
  password: { zh: '初始密码', en: 'First password' },
  townships: { zh: '负责乡镇（司法所）', en: 'Townships (judicial office)' },
  withdraw: { zh: '撤销', en: 'Withdraw' },
  granted: { zh: '已添加。', en: 'Added.' },
  withdrawn: { zh: '已撤销。', en: 'Withdrawn.' },
  disabled: { zh: '已停用', en: 'disabled' },
} satisfies Record<string, Msg>;

async function lookups(c: Ctx) {
  const [towns, serving] = await Promise.all([
    c.var.countyDb.select().from(townships).orderBy(asc(townships.sortOrder), asc(townships.name)),
    controlDb(c.env)
      .select({ id: providers.id, name: providers.name, nameEn: providers.nameEn })
      .from(providerCounties)
      .innerJoin(providers, eq(providers.id, providerCounties.providerId))
      .where(eq(providerCounties.county, c.var.county.slug)),
  ]);
  return { towns, serving };
}

function UsersPage(props: {
  p: PageCtx;
  members: Awaited<ReturnType<typeof listMembers>>;
  l: Awaited<ReturnType<typeof lookups>>;
  values?: Record<string, string | string[]>;
  errors?: Errors;
  message?: string | null;
  notice?: string | null;
}) {
  const { p, l } = props;
  const { s, t, lang } = p;
  const v = props.values ?? {};
  const e = props.errors ?? {};
  const b = base(p);
  const townName = (id: string) => {
    const x = l.towns.find((tw) => tw.id === id);
    return x ? (lang === 'zh' ? x.name : (x.nameEn ?? x.name)) : id;
  };
  const providerName = (id: string) => {
    const x = l.serving.find((pr) => pr.id === id);
    return x ? (lang === 'zh' ? x.name : (x.nameEn ?? x.name)) : id;
  };
  return (
    <Page p={p} title={s(M.title)}>
      <h1>{s(M.title)}</h1>
      <Notice text={props.notice} />
      <div class="table-wrap card">
        <table class="list">
          <thead>
            <tr>
              <th scope="col">{s(M.login)}</th>
              <th scope="col">{s(M.displayName)}</th>
              <th scope="col">{s(M.role)}</th>
              <th scope="col">{s(M.scope)}</th>
              <th scope="col">{t('actions')}</th>
            </tr>
          </thead>
          <tbody>
            {props.members.flatMap((u) =>
              u.memberships.map((m) => (
                <tr>
                  <td class="mono">{u.login}</td>
                  <td>
                    {u.displayName}
                    {u.status === 'disabled' ? <span class="badge bad">{s(M.disabled)}</span> : null}
                  </td>
                  <td>{ROLE_LABELS[m.role][lang]}</td>
                  <td>
                    {m.providerId ? providerName(m.providerId) : ''}
                    {m.townshipIds?.map(townName).join('、') ?? ''}
                  </td>
                  <td>
                    {!p.principal.memberships.some((x) => x.id === m.id) ? (
                      <form method="post" action={`${b}/memberships/${m.id}/delete`} class="inline">
                        <Csrf p={p} />
                        <button
                          type="submit"
                          class="secondary small"
                          aria-label={`${s(M.withdraw)} ${u.login} ${ROLE_LABELS[m.role][lang]}`}
                        >
                          {s(M.withdraw)}
                        </button>
                      </form>
                    ) : null}
                  </td>
                </tr>
              )),
            )}
          </tbody>
        </table>
      </div>
      <form method="post" action={`${b}/users`} class="card form-grid" novalidate>
        <h2>{s(M.add)}</h2>
        <p class="hint">{s(M.addHint)}</p>
        <Csrf p={p} />
        <FormAlert p={p} message={props.message} errors={e} />
        <Input
          name="login"
          label={s(M.login)}
          value={v.login as string}
          error={e.login}
          required
          autocomplete="off"
        />
        <Input
          name="displayName"
          label={s(M.displayName)}
          value={v.displayName as string}
          error={e.displayName}
        />
        <Input
          name="password"
          label={s(M.password)}
          type="password"
          error={e.password}
          autocomplete="new-password"
        />
        <Select
          name="role"
          label={s(M.role)}
          options={COUNTY_ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r][lang] }))}
          value={v.role as string}
          error={e.role}
          required
          blank=""
        />
        <Select
          name="providerId"
          label={t('provider')}
          options={l.serving.map((x) => ({
            value: x.id,
            label: lang === 'zh' ? x.name : (x.nameEn ?? x.name),
          }))}
          value={v.providerId as string}
          error={e.providerId}
          blank="—"
        />
        <Select
          name="townshipIds"
          label={s(M.townships)}
          multiple
          options={l.towns.map((x) => ({ value: x.id, label: townName(x.id) }))}
          value={(v.townshipIds as string[]) ?? []}
          error={e.townshipIds}
        />
        <div class="actions">
          <button type="submit">{s(M.add)}</button>
        </div>
      </form>
    </Page>
  );
}

const DONE: Record<string, Msg> = { granted: M.granted, withdrawn: M.withdrawn };

export const userPages = createRouter()
  .get('/c/:county/users', async (c) => {
    const p = await pageCtx(c);
    const [members, l] = await Promise.all([listMembers(c), lookups(c)]);
    const done = DONE[c.req.query('done') ?? ''];
    return c.html(<UsersPage p={p} members={members} l={l} notice={done ? p.s(done) : null} />);
  })
  .post('/c/:county/users', async (c) => {
    const p = await pageCtx(c);
    const f = await readForm(c);
    const values = {
      login: f.get('login').trim(),
      displayName: f.get('displayName').trim(),
      role: f.get('role'),
      providerId: f.get('providerId'),
      townshipIds: f.all('townshipIds').filter(Boolean),
    };
    const raw = {
      login: values.login,
      role: values.role,
      ...(values.displayName ? { displayName: values.displayName } : {}),
      ...(f.get('password') ? { password: f.get('password') } : {}),
      ...(values.providerId ? { providerId: values.providerId } : {}),
      ...(values.townshipIds.length ? { townshipIds: values.townshipIds } : {}),
    };
    const again = async (errors: Errors, message?: string, status: 400 | 409 = 400) => {
      const [members, l] = await Promise.all([listMembers(c), lookups(c)]);
      // townshipIds.3 → the townships field
      const shown: Errors = {};
      for (const [k, m] of Object.entries(errors)) shown[k.split('.')[0]!] ??= m;
      return c.html(
        <UsersPage p={p} members={members} l={l} values={values} errors={shown} message={message} />,
        status,
      );
    };
    const parsed = NewMember.safeParse(raw);
    if (!parsed.success) {
      const errors = zodErrors(parsed.error);
      // A short password reads as the hint above the form does, in the reader's language.
      if (raw.password !== undefined && raw.password.length < PASSWORD_MIN_LENGTH) {
        errors.password = p.s(PASSWORD_RULE);
      }
      return again(errors);
    }
    try {
      await grantMembership(c, parsed.data);
    } catch (e) {
      const problem = problemErrors(e);
      if (!problem) throw e;
      return again(problem.errors, problem.message, (e as { status: number }).status === 409 ? 409 : 400);
    }
    return c.redirect(`${base(p)}/users?done=granted`, 303);
  })
  .post('/c/:county/memberships/:id/delete', async (c) => {
    const p = await pageCtx(c);
    await revokeMembership(c, c.req.param('id'));
    return c.redirect(`${base(p)}/users?done=withdrawn`, 303);
  });
