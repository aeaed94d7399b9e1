/**
 * The platform operator's pages: counties (suspend / reactivate), the provider registry and the
 * counties each serves, and the background jobs' recent runs with "run now". No county data.
 */
import { desc } from 'drizzle-orm';
import { controlDb } from '../db';
import { jobRuns } from '../jobs/control-schema';
import { queueCountyJob } from '../jobs/run-now';
import { createRouter } from '../lib/router';
import {
  createProvider,
  linkProviderCounty,
  listCounties,
  listProviders,
  NewProvider,
  patchCounty,
} from '../platform/routes';
import type { Msg } from './i18n';
import {
  Csrf,
  countyName,
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
  title: { zh: '平台管理', en: 'Platform' },
  counties: { zh: '县区', en: 'Counties' },
  slug: { zh: '标识', en: 'Slug' },
  name: { zh: '名称', en: 'Name' },
  regionCode: { zh: '行政区划代码', en: 'Region code' },
  schema: { zh: '数据库版本', en: 'Schema' },
  active: { zh: '运行中', en: 'active' },
  suspended: { zh: '已暂停', en: 'suspended' },
  suspend: { zh: '暂停', en: 'Suspend' },
  reactivate: { zh: '恢复', en: 'Reactivate' },
  addCountyHint: {
    zh: '新增县区：运行 npm run county:add（创建数据库、绑定并注册），然后部署。',
    en: 'To add a county run npm run county:add (creates, binds and registers its database), then deploy.',
  },
  providers: { zh: '社工组织', en: 'Providers' },
  creditCode: { zh: '统一社会信用代码', en: 'Credit code' },
  serves: { zh: '服务县区', en: 'Counties served' },
  newProvider: { zh: '登记社工组织', en: 'Register a provider' },
  nameEn: { zh: '英文名称', en: 'English name' },
  contactName: { zh: '联系人', en: 'Contact' },
  contactPhone: { zh: '联系电话', en: 'Contact phone' },
  link: { zh: '增加服务县区', en: 'Add a county it serves' },
  since: { zh: '起始日期', en: 'Since' },
  jobs: { zh: '后台任务', en: 'Background jobs' },
  trigger: { zh: '触发', en: 'Trigger' },
  day: { zh: '日期', en: 'Day' },
  started: { zh: '开始', en: 'Started' },
  ms: { zh: '耗时 (ms)', en: 'ms' },
  error: { zh: '错误', en: 'Error' },
  runNow: { zh: '立即运行', en: 'Run now' },
  noRuns: { zh: '暂无运行记录。', en: 'No runs yet.' },
  done: { zh: '已完成。', en: 'Done.' },
  queued: { zh: '已加入队列。', en: 'Queued.' },
} satisfies Record<string, Msg>;

async function data(env: Parameters<typeof controlDb>[0], c: Parameters<typeof listCounties>[0]) {
  const [countyList, providerList, runs] = await Promise.all([
    listCounties(c),
    listProviders(c),
    controlDb(env).select().from(jobRuns).orderBy(desc(jobRuns.startedAt)).limit(20),
  ]);
  return { countyList, providerList, runs };
}

function PlatformPage(props: {
  p: PageCtx;
  d: Awaited<ReturnType<typeof data>>;
  values?: Record<string, string>;
  errors?: Errors;
  message?: string | null;
  notice?: string | null;
}) {
  const { p, d } = props;
  const { s, t, lang } = p;
  const v = props.values ?? {};
  const e = props.errors ?? {};
  return (
    <Page p={p} title={s(M.title)} wide>
      <h1>{s(M.title)}</h1>
      <Notice text={props.notice} />
      <section class="card" aria-labelledby="counties">
        <h2 id="counties">{s(M.counties)}</h2>
        <div class="table-wrap">
          <table class="list">
            <thead>
              <tr>
                <th scope="col">{s(M.slug)}</th>
                <th scope="col">{s(M.name)}</th>
                <th scope="col">{s(M.regionCode)}</th>
                <th scope="col">{t('status')}</th>
                <th scope="col">{s(M.schema)}</th>
                <th scope="col">{t('actions')}</th>
              </tr>
            </thead>
            <tbody>
              {d.countyList.map((k) => (
                <tr>
                  <td class="mono">{k.slug}</td>
                  <td>{countyName(p, k)}</td>
                  <td class="mono">{k.regionCode}</td>
                  <td>
                    {k.status === 'active' ? s(M.active) : <span class="badge bad">{s(M.suspended)}</span>}
                  </td>
                  <td class="mono">{k.schemaVersion ?? '—'}</td>
                  <td class="nowrap">
                    <form method="post" action={`/platform/counties/${k.slug}`} class="inline">
                      <Csrf p={p} />
                      <input
                        type="hidden"
                        name="status"
                        value={k.status === 'active' ? 'suspended' : 'active'}
                      />
                      <button type="submit" class="secondary small">
                        {k.status === 'active' ? s(M.suspend) : s(M.reactivate)}
                      </button>
                    </form>{' '}
                    <form method="post" action={`/platform/jobs/${k.slug}/run`} class="inline">
                      <Csrf p={p} />
                      <button type="submit" class="secondary small">
                        {s(M.runNow)}
                      </button>
                    </form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <p class="hint">{s(M.addCountyHint)}</p>
      </section>
      <section class="card" aria-labelledby="providers">
        <h2 id="providers">{s(M.providers)}</h2>
        <div class="table-wrap">
          <table class="list">
            <thead>
              <tr>
                <th scope="col">{s(M.name)}</th>
                <th scope="col">{s(M.creditCode)}</th>
                <th scope="col">{s(M.serves)}</th>
                <th scope="col">{s(M.link)}</th>
              </tr>
            </thead>
            <tbody>
              {d.providerList.map((x) => (
                <tr>
                  <td>{lang === 'zh' ? x.name : (x.nameEn ?? x.name)}</td>
                  <td class="mono">{x.creditCode}</td>
                  <td>{(x.counties ?? []).join(', ')}</td>
                  <td>
                    <form
                      method="post"
                      action={`/platform/providers/${x.id}/counties`}
                      class="inline-form compact"
                    >
                      <Csrf p={p} />
                      <Select
                        name={`county-${x.id}`}
                        label={s(M.counties)}
                        options={d.countyList
                          .filter((k) => !(x.counties ?? []).includes(k.slug))
                          .map((k) => ({ value: k.slug, label: countyName(p, k) }))}
                        required
                      />
                      <button type="submit" class="secondary small">
                        {s(M.link)}
                      </button>
                    </form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <form method="post" action="/platform/providers" class="form-grid" novalidate>
          <h3>{s(M.newProvider)}</h3>
          <Csrf p={p} />
          <FormAlert p={p} message={props.message} errors={e} />
          <Input name="name" label={s(M.name)} value={v.name} error={e.name} required />
          <Input name="nameEn" label={s(M.nameEn)} value={v.nameEn} error={e.nameEn} />
          <Input
            name="creditCode"
            label={s(M.creditCode)}
            value={v.creditCode}
            error={e.creditCode}
            required
            maxlength={18}
          />
          <Input name="contactName" label={s(M.contactName)} value={v.contactName} error={e.contactName} />
          <Input
            name="contactPhone"
            label={s(M.contactPhone)}
            type="tel"
            value={v.contactPhone}
            error={e.contactPhone}
          />
          <div class="actions">
            <button type="submit">{s(M.newProvider)}</button>
          </div>
        </form>
      </section>
      <section class="card" aria-labelledby="jobs">
        <h2 id="jobs">{s(M.jobs)}</h2>
        {d.runs.length === 0 ? (
          <p class="muted">{s(M.noRuns)}</p>
        ) : (
          <div class="table-wrap">
            <table class="list">
              <thead>
                <tr>
                  <th scope="col">{t('county')}</th>
                  <th scope="col">{s(M.trigger)}</th>
                  <th scope="col">{s(M.day)}</th>
                  <th scope="col">{t('status')}</th>
                  <th scope="col">{s(M.started)}</th>
                  <th scope="col">{s(M.ms)}</th>
                  <th scope="col">{s(M.error)}</th>
                </tr>
              </thead>
              <tbody>
                {d.runs.map((r) => (
                  <tr>
                    <td class="mono">{r.county}</td>
                    <td>{r.trigger}</td>
                    <td>{r.day}</td>
                    <td>
                      <span class={`badge ${r.status === 'ok' ? 'ok' : r.status === 'failed' ? 'bad' : ''}`}>
                        {r.status}
                      </span>
                    </td>
                    <td class="mono">{r.startedAt}</td>
                    <td>{r.durationMs ?? '—'}</td>
                    <td>{r.error ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </Page>
  );
}

export const platformPages = createRouter()
  .get('/platform', async (c) => {
    const p = await pageCtx(c);
    const done = c.req.query('done');
    return c.html(
      <PlatformPage
        p={p}
        d={await data(c.env, c)}
        notice={
          done === 'queued'
            ? p.s(M.queued)
            : done === 'county' || done === 'provider' || done === 'linked'
              ? p.s(M.done)
              : null
        }
      />,
    );
  })
  .post('/platform/counties/:slug', async (c) => {
    const f = await readForm(c);
    const status = f.get('status') === 'suspended' ? 'suspended' : 'active';
    await patchCounty(c, c.req.param('slug'), { status });
    return c.redirect('/platform?done=county', 303);
  })
  .post('/platform/providers', async (c) => {
    const p = await pageCtx(c);
    const f = await readForm(c);
    const values: Record<string, string> = {};
    for (const k of ['name', 'nameEn', 'creditCode', 'contactName', 'contactPhone'])
      values[k] = f.get(k).trim();
    const raw = Object.fromEntries(Object.entries(values).filter(([, x]) => x !== ''));
    const again = async (errors: Errors, message?: string, status: 400 | 409 = 400) =>
      c.html(
        <PlatformPage p={p} d={await data(c.env, c)} values={values} errors={errors} message={message} />,
        status,
      );
    const parsed = NewProvider.safeParse(raw);
    if (!parsed.success) return again(zodErrors(parsed.error));
    try {
      await createProvider(c, parsed.data);
    } catch (e) {
      const problem = problemErrors(e);
      if (!problem) throw e;
      return again(problem.errors, problem.message, (e as { status: number }).status === 409 ? 409 : 400);
    }
    return c.redirect('/platform?done=provider', 303);
  })
  .post('/platform/providers/:id/counties', async (c) => {
    const id = c.req.param('id');
    const f = await readForm(c);
    await linkProviderCounty(c, id, f.get(`county-${id}`));
    return c.redirect('/platform?done=linked', 303);
  })
  .post('/platform/jobs/:slug/run', async (c) => {
    await queueCountyJob(c, c.req.param('slug'));
    return c.redirect('/platform?done=queued', 303);
  });
