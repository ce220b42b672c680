/**
 * Routes of subscriptions and digests: subscribe (the box on every page, the subscribe page,
 * account settings), confirm, unsubscribe (RFC 8058 one-click: POST with the signed token, no
 * login, no CSRF token), manage by link, the web version of a digest, and the admin page.
 * Thin handlers: read the form, call a service, present. State changes only on POST.
 */
import { ownEntry } from '../domain/lookup.ts';
import type { Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { defaultMailFrom } from '../config.ts';
import { addDays, labelProblem, parseDay } from '../domain/dates.ts';
import { DIGEST_PERIODS, isoWeekday, latestCompleteDate, type DigestPeriod } from '../domain/digest.ts';
import { mailPaperFields } from '../mail/digest-template.tsx';
import { previewDigest } from '../services/digest.ts';
import { DIGEST_DEFAULTS } from '../services/digest-config.ts';
import { UserError } from '../services/errors.ts';
import {
  changeMemberSubscription, confirmSubscription, linkKey, manageByToken, memberSubscriptions, subscribe, subscriptionLinks,
  SubscriptionGone, subscriptionOfToken, unsubscribeByToken, type SubscriptionDeps,
} from '../services/subscriptions.ts';
import { listCardsByIds } from '../store/listings.ts';
import { countOutboxByStatus, findOutboxRow, listProblemRows } from '../store/outbox.ts';
import {
  clearAddressBounce, countSubscribers, digestDb, listBouncedAddresses, listSubscriptions,
} from '../store/subscriptions.ts';
import type { Web } from './app.tsx';
import { readForm } from './forms.ts';
import { clientIp, csrfToken, formOrigin, requireUser, verifyCsrf, type AppEnv } from './auth.ts';
import { AdminDigestsPage, DigestWebPage } from './pages/digest.tsx';
import {
  ConfirmPage, ManagePage, MemberDigestsPage, SubscribedPage, SubscribePage, SubscribeResultPage, SubscriptionGonePage, UnsubscribedPage, UnsubscribePage,
  type SubscribeValues,
} from './pages/subscribe.tsx';
import { DIGEST_JOB, type DigestSchedulerState } from '../jobs/digest-scheduler.ts';

/** Subscription forms are small; anything larger is refused before it is read. */
export const MAX_DIGEST_FORM_BYTES = 16 * 1024;

type Form = Record<string, string>;

const pathOf = (url: string) => { const u = new URL(url); return u.pathname + u.search; };

export function mountDigestRoutes(app: Hono<AppEnv>, web: Web): void {
  const { deps, auth } = web;
  const { store, config } = deps;
  const now = () => deps.clock.now();
  const subs: SubscriptionDeps = {
    store, mailer: deps.mailer, baseUrl: config.baseUrl, siteName: config.siteName, now, later: deps.afterAnswer,
    onMailFailure: (err) => deps.logger.error({ err: err.cause ?? err }, `mail: a subscription e-mail (confirmation link or note) was not sent: ${err.message}`),
  };
  const db = digestDb(store.db);
  const ip = (c: Context) => clientIp(c, config.trustProxy);

  const limit = bodyLimit({ maxSize: MAX_DIGEST_FORM_BYTES, onError: (c) => web.errorPage(c as Context<AppEnv>, 413, `Forms are limited to ${MAX_DIGEST_FORM_BYTES / 1024} KB.`) });
  for (const p of ['/subscribe', '/subscribe/*', '/unsubscribe', '/subscriptions/*', '/settings/digests', '/settings/digests/*', '/admin/digests/*']) {
    app.use(p, async (c, next) => (c.req.method === 'POST' ? limit(c, next) : next()));
  }

  const form = async (c: Context<AppEnv>) => {
    const f = await readForm(c);
    verifyCsrf(c, auth, f._csrf);
    return f;
  };
  /** The form came from a page of this site: its CSRF token, or (the cached subscribe box) a same-origin Origin. */
  const fromThisSite = (c: Context<AppEnv>, f: Form): boolean => {
    const from = formOrigin(c, auth);
    if (from === 'elsewhere') throw new UserError(403, 'This form was sent from another site.');
    try {
      verifyCsrf(c, auth, f._csrf);
      return true;
    } catch {
      return from === 'here';
    }
  };
  /** A form shown again with its error: a mail server that failed is logged, and says when to retry. */
  const shownError = (c: Context<AppEnv>, err: UserError) => {
    if (err.retryAfterSeconds) c.header('Retry-After', String(err.retryAfterSeconds));
    if (err.status >= 500 || err.cause) deps.logger.warn({ err: err.cause ?? err, path: c.req.path }, err.message);
  };
  const values = (f: Form): SubscribeValues => ({
    email: f.email?.slice(0, 254), period: f.period?.slice(0, 20), kind: f.kind?.slice(0, 20), query: f.query?.slice(0, 400),
  });

  // Subscribe

  app.get('/subscribe', async (c) => {
    const q = (k: string) => c.req.query(k)?.slice(0, k === 'q' ? 400 : 254);
    const kind = q('kind') ?? (q('q') ? 'search' : undefined);
    return web.html(c, <SubscribePage site={await web.site(c)} csrf={csrfToken(c, auth)} values={{ email: q('email'), period: q('period'), kind, query: q('q') }} />);
  });
  app.post('/subscribe', async (c) => {
    const f = await readForm(c);
    if (!fromThisSite(c, f)) {
      return web.html(c, <SubscribePage site={await web.site(c)} csrf={csrfToken(c, auth)} values={values(f)} ask />);
    }
    try {
      const r = await subscribe(subs, { email: f.email, period: f.period, kind: f.kind, query: f.query, ip: ip(c), member: c.get('user') });
      c.header('Cache-Control', 'no-store');
      return web.html(c, <SubscribeResultPage site={await web.site(c)} outcome={r.outcome} email={r.email} />);
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      shownError(c, err);
      return web.html(c, <SubscribePage site={await web.site(c)} csrf={csrfToken(c, auth)} values={values(f)} error={err.message} />, err.status);
    }
  });

  app.get('/subscribe/confirm', async (c) => {
    const token = c.req.query('token') ?? '';
    c.header('Cache-Control', 'no-store'); // shows the address: no shared cache may keep it
    const s = await subscriptionOfToken(subs, 'confirm', token);
    if (s.confirmedAt && !s.unsubscribedAt) {
      return web.html(c, <SubscribedPage site={await web.site(c)} subscription={s} manage={pathOf(subscriptionLinks(await linkKey(store), config.baseUrl, s).manage)} />);
    }
    if (s.unsubscribedAt) throw new UserError(400, 'This subscription was cancelled. Subscribe again to start it anew.');
    return web.html(c, <ConfirmPage site={await web.site(c)} csrf={csrfToken(c, auth)} token={token} subscription={s} />);
  });
  app.post('/subscribe/confirm', async (c) => {
    const f = await form(c);
    const s = await confirmSubscription(subs, f.token);
    c.header('Cache-Control', 'no-store');
    return web.html(c, <SubscribedPage site={await web.site(c)} subscription={s} manage={pathOf(subscriptionLinks(await linkKey(store), config.baseUrl, s).manage)} />);
  });

  // Unsubscribe: the GET page asks (link scanners must not unsubscribe anyone); the POST does it.

  app.get('/unsubscribe', async (c) => {
    const token = c.req.query('token') ?? '';
    c.header('Cache-Control', 'no-store'); // shows the address: no shared cache may keep it
    const s = await subscriptionOfToken(subs, 'unsubscribe', token);
    if (s.unsubscribedAt) {
      return web.html(c, <UnsubscribedPage site={await web.site(c)} subscription={s} manage={pathOf(subscriptionLinks(await linkKey(store), config.baseUrl, s).manage)} />);
    }
    return web.html(c, <UnsubscribePage site={await web.site(c)} token={token} subscription={s} />);
  });
  app.post('/unsubscribe', async (c) => {
    // RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click" to the List-Unsubscribe URL.
    // The signed token in it is the authorisation: no session, no CSRF token.
    const f = await readForm(c);
    c.header('Cache-Control', 'no-store');
    let s;
    try {
      s = await unsubscribeByToken(subs, c.req.query('token') ?? f.token);
    } catch (err) {
      // Gone (deleted with its account): nothing more is sent, which is what was asked; a 4xx would make mail providers retry.
      if (err instanceof SubscriptionGone) return web.html(c, <SubscriptionGonePage site={await web.site(c)} message={err.message} />);
      throw err;
    }
    return web.html(c, <UnsubscribedPage site={await web.site(c)} subscription={s} manage={pathOf(subscriptionLinks(await linkKey(store), config.baseUrl, s).manage)} />);
  });

  // Manage by link

  const NOTICES: Record<string, string> = { saved: 'Saved.', resubscribed: 'You are subscribed again.', unsubscribed: 'You are unsubscribed.' };
  app.get('/subscriptions/manage', async (c) => {
    const token = c.req.query('token') ?? '';
    const s = await subscriptionOfToken(subs, 'manage', token);
    const links = subscriptionLinks(await linkKey(store), config.baseUrl, s);
    c.header('Cache-Control', 'no-store');
    return web.html(c, <ManagePage site={await web.site(c)} csrf={csrfToken(c, auth)} token={token} unsubscribe={pathOf(links.unsubscribe)} subscription={s} notice={ownEntry(NOTICES, c.req.query('done')) ?? null} />);
  });
  app.post('/subscriptions/manage', async (c) => {
    const f = await form(c);
    try {
      await manageByToken(subs, f.token, { action: f.action, period: f.period, query: f.query });
      const done = f.action === 'resubscribe' ? 'resubscribed' : f.action === 'unsubscribe' ? 'unsubscribed' : 'saved';
      return c.redirect(`/subscriptions/manage?token=${encodeURIComponent(f.token ?? '')}&done=${done}`, 303);
    } catch (err) {
      if (!(err instanceof UserError) || err.status !== 422) throw err;
      const s = await subscriptionOfToken(subs, 'manage', f.token);
      const links = subscriptionLinks(await linkKey(store), config.baseUrl, s);
      return web.html(c, <ManagePage site={await web.site(c)} csrf={csrfToken(c, auth)} token={f.token ?? ''} unsubscribe={pathOf(links.unsubscribe)} subscription={s} error={err.message} />, 422);
    }
  });

  // Account settings

  const SETTINGS_NOTICES: Record<string, string> = {
    subscribed: 'Added.', 'already-subscribed': 'You get that already.', saved: 'Saved.', unsubscribed: 'Unsubscribed.',
  };
  const memberPage = async (c: Context<AppEnv>, extra: { notice?: string | null; error?: string | null; values?: SubscribeValues } = {}, status = 200) => {
    const user = requireUser(c);
    const list = await memberSubscriptions(store, user);
    const key = await linkKey(store);
    const manageLinks = new Map(list.filter((s) => s.confirmedAt).map((s) => [s.id, pathOf(subscriptionLinks(key, config.baseUrl, s).manage)]));
    c.header('Cache-Control', 'no-store');
    return web.html(c, <MemberDigestsPage site={await web.site(c)} subscriptions={list} manageLinks={manageLinks} email={user.emailVerifiedAt ? user.email : null} {...extra} />, status);
  };
  app.get('/settings/digests', (c) => memberPage(c, { notice: ownEntry(SETTINGS_NOTICES, c.req.query('notice')) ?? null }));
  app.post('/settings/digests', async (c) => {
    const f = await form(c);
    const user = requireUser(c);
    try {
      if (!user.emailVerifiedAt || !user.email) throw new UserError(422, 'Confirm your account\'s e-mail address first (see Settings).');
      const r = await subscribe(subs, { email: user.email, period: f.period, kind: f.kind, query: f.query, ip: ip(c), member: user });
      return c.redirect(`/settings/digests?notice=${r.outcome}`, 303);
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      shownError(c, err);
      return memberPage(c, { error: err.message, values: values(f) }, err.status);
    }
  });
  app.post('/settings/digests/:id', async (c) => {
    const f = await form(c);
    try {
      await changeMemberSubscription(subs, requireUser(c), c.req.param('id'), { action: f.action, period: f.period, query: f.query });
      return c.redirect(`/settings/digests?notice=${f.action === 'unsubscribe' ? 'unsubscribed' : 'saved'}`, 303);
    } catch (err) {
      if (!(err instanceof UserError) || err.status !== 422) throw err;
      return memberPage(c, { error: err.message }, 422);
    }
  });

  // The web version of a sent digest: exactly the papers the e-mail listed.

  app.get('/digests/:id/:key', async (c) => {
    const id = c.req.param('id');
    const key = c.req.param('key');
    if (!/^\d{1,12}$/.test(id) || !/^\d{4}-(\d{2}-\d{2}|W\d{2}(-[1-7])?)$/.test(key)) throw new UserError(404, 'There is no such digest.');
    const s = await subscriptionOfToken(subs, 'view', c.req.query('token'));
    if (s.id !== Number(id)) throw new UserError(400, 'This link is not valid. Check that you copied all of it.');
    const row = await findOutboxRow(db, s.id, key);
    if (!row || !row.paperIds) throw new UserError(404, 'This digest was not sent (yet).');
    c.header('Cache-Control', 'no-store');
    return web.html(c, <DigestWebPage site={await web.site(c)} subscription={s} row={row} cards={await listCardsByIds(store.db, row.paperIds)} nowMs={now()} />);
  });

  // Admin (the /admin/* guard in app.tsx lets only admins through)

  // The configured schedule, not the one the scheduler last recorded: a web-only process never records
  // one, and a restart with new settings would show the old ones until the scheduler's first tick.
  const settings = config.digest ?? DIGEST_DEFAULTS;
  const previewOf = async (c: Context<AppEnv>) => {
    const period = (DIGEST_PERIODS as readonly string[]).includes(c.req.query('period') ?? '') ? (c.req.query('period') as DigestPeriod) : 'daily';
    const asked = c.req.query('date');
    if (asked !== undefined && !parseDay(asked)) throw new UserError(400, `"${asked.slice(0, 40)}" ${labelProblem('day', asked)}.`);
    // Today as `paperboy digest send` takes it: in the digests' time zone, once the list day it covers is complete.
    const today = latestCompleteDate(now(), settings.timeZone);
    // The headers the real digest gets: the configured sender and unsubscribe mailbox.
    const pdeps = {
      store, siteName: config.siteName, baseUrl: config.baseUrl, mailFrom: config.mailFrom ?? defaultMailFrom(config.siteName, config.baseUrl),
      unsubscribeMailto: config.digest?.unsubscribeMailto ?? null, now,
    };
    const { weeklyDay } = settings;
    // A weekly digest goes out on the weekly day: without a date, the one of the latest weekly day.
    let date = asked ?? (period === 'weekly' ? addDays(today, -((isoWeekday(today) - weeklyDay + 7) % 7)) : today);
    let preview = await previewDigest(pdeps, { date, period, weeklyDay });
    let note: string | null = null;
    if ('skip' in preview.built && asked === undefined) {
      const latest = await store.latestDailyDay();
      if (latest) {
        date = addDays(latest, 1);
        preview = await previewDigest(pdeps, { date, period, weeklyDay });
        note = `Today's digest would list nothing (no papers entered the list the day before), so this is the digest of ${date}, covering the latest list.`;
      }
    }
    return { date, period, preview, note };
  };

  app.get('/admin/digests', async (c) => {
    const search = (c.req.query('q') ?? '').trim().slice(0, 254);
    const [counts, outbox, runs, subscribers, bounced, problems, state, pv] = await Promise.all([
      countSubscribers(db), countOutboxByStatus(db), store.listJobRuns(20, 'digest'), listSubscriptions(db, 100, search || undefined),
      listBouncedAddresses(db, 100), listProblemRows(db, 50), store.readJobState<DigestSchedulerState>(DIGEST_JOB), previewOf(c),
    ]);
    const schedule = { at: settings.at, timeZone: settings.timeZone, weeklyDay: settings.weeklyDay, lastDate: state?.lastDate ?? null };
    const built = pv.preview.built;
    const preview = 'skip' in built ? null : {
      date: pv.date, label: `the ${pv.period} digest of ${pv.date}`, subject: built.mail.subject, text: built.mail.text,
      cards: (await listCardsByIds(store.db, built.paperIds)).map((card) => ({ ...card, ...mailPaperFields(card) })), note: pv.note, emlHref: `/admin/digests/preview.eml?date=${pv.date}&period=${pv.period}`,
    };
    return web.html(c, <AdminDigestsPage site={await web.site(c)} counts={counts} outbox={outbox} schedule={schedule} runs={runs} subscribers={subscribers}
      search={search} bounced={bounced} problems={problems} preview={preview} nowMs={now()} />);
  });
  app.get('/admin/digests/preview.eml', async (c) => {
    const pv = await previewOf(c);
    if ('skip' in pv.preview.built) throw new UserError(404, 'That digest would list no papers.');
    return c.body(new Uint8Array(pv.preview.built.message.raw), 200, {
      'Content-Type': 'message/rfc822', 'Content-Disposition': `attachment; filename="digest-${pv.date}-${pv.period}.eml"`,
    });
  });
  app.post('/admin/digests/bounces', async (c) => {
    const f = await form(c);
    await clearAddressBounce(db, (f.email ?? '').slice(0, 254), new Date(now()).toISOString());
    return c.redirect('/admin/digests', 303);
  });
}
