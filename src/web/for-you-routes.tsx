/**
 * Discovery routes: `GET /for-you?period=day|week|month` (members) and
 * `POST /actions/not-interested` (CSRF like votes; `want=0` takes it back).
 */
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { windowContaining, type Period } from '../domain/dates.ts';
import { parseArxivId } from '../domain/arxiv-id.ts';
import { forYou } from '../discovery/for-you.ts';
import { UserError } from '../services/errors.ts';
import { markNotInterested } from '../services/follows.ts';
import { latestPaperDay, listNotInterested, notInterestedAmong } from '../store/discovery.ts';
import { listCardsByIds } from '../store/listings.ts';
import { votedAmong } from '../store/votes.ts';
import type { Web } from './app.tsx';
import { safeNext, verifyCsrf, type AppEnv } from './auth.ts';
import { readForm } from './forms.ts';
import { ForYouPage, NOT_INTERESTED_LISTED, NOT_INTERESTED_PATH, NotInterestedPage } from './pages/for-you.tsx';

export interface ForYouOptions {
  /** Names of the authors a member follows (their new papers are boosted); default: none. */
  listFollowedAuthors?: (userId: number) => Promise<string[]>;
}

/** Papers the For-you page shows. */
export const FOR_YOU_PAGE_SIZE = 30;
/** Pages of For you at most: 600 papers, more than a period's reading. */
export const FOR_YOU_MAX_PAGES = 20;

/** `at`, where a dismissed card was on its page (0 to 29), or null when it is not one. */
function placeOnPage(raw: string | undefined): number | null {
  return raw !== undefined && /^\d{1,2}$/.test(raw) && Number(raw) < FOR_YOU_PAGE_SIZE ? Number(raw) : null;
}

const periodSchema = z.enum(['day', 'week', 'month'], { error: 'period must be day, week or month' });

export function mountForYouRoutes(app: Hono<AppEnv>, web: Web): void {
  const { deps, auth } = web;
  const { store } = deps;
  const listFollowedAuthors = deps.discovery?.listFollowedAuthors ?? (async () => []);

  app.get('/for-you', async (c) => {
    c.header('Cache-Control', 'private, no-store');
    const user = c.get('user');
    if (!user) return c.redirect(`/signin?next=${encodeURIComponent(new URL(c.req.url).pathname + new URL(c.req.url).search)}`, 303);
    const raw = c.req.query('period');
    const parsed = periodSchema.safeParse(raw ?? 'week');
    if (!parsed.success) return web.errorPage(c, 400, `"${String(raw).slice(0, 20)}" is not a period: use day, week or month.`);
    const period: Period = parsed.data;
    const rawPage = c.req.query('page');
    const page = rawPage === undefined ? 1 : Number(rawPage);
    if (!Number.isSafeInteger(page) || page < 1 || page > FOR_YOU_MAX_PAGES || !/^\d+$/.test(rawPage ?? '1')) {
      return web.errorPage(c, 400, `Page must be a whole number from 1 to ${FOR_YOU_MAX_PAGES}.`);
    }
    const latest = await latestPaperDay(store.db);
    const window = latest ? windowContaining(period, latest) : null;
    // Ranked down to this page, and one more, to know whether a next page follows.
    const result = window
      ? await forYou({ store, index: deps.searchIndex ?? null, listFollowedAuthors }, { userId: user.id, window, limit: page * FOR_YOU_PAGE_SIZE + 1 })
      : { mode: 'trending' as const, vectors: false, items: [], candidates: 0, history: { positives: 0, negatives: 0, followed: 0 } };
    const shown = result.items.slice((page - 1) * FOR_YOU_PAGE_SIZE, page * FOR_YOU_PAGE_SIZE);
    if (page > 1 && shown.length === 0) return web.errorPage(c, 404, `There is no page ${page}: the list is shorter.`);
    const cards = new Map((await listCardsByIds(store.db, shown.map((i) => i.id))).map((x) => [x.id, x]));
    const items = shown.flatMap((i) => { const card = cards.get(i.id); return card ? [{ card, reason: i.reason }] : []; });
    const voted = await votedAmong(store.db, user.id, items.map((i) => i.card.id));
    // "Undo" only for a paper the member did mark (a link with any id must not claim one was).
    const dismissedId = parseArxivId(c.req.query('dismissed') ?? '')?.id;
    const marked = dismissedId && (await notInterestedAmong(store.db, user.id, [dismissedId])).has(dismissedId);
    const dismissed = marked ? (await listCardsByIds(store.db, [dismissedId]))[0] ?? null : null;
    return web.html(c, (
      <ForYouPage
        site={await web.site(c)} nowMs={deps.clock.now()} period={period} window={window} mode={result.mode} vectors={result.vectors}
        items={items} candidates={result.candidates} history={result.history} voted={voted}
        page={page} hasNext={result.items.length > page * FOR_YOU_PAGE_SIZE}
        dismissed={dismissed ? { id: dismissed.id, title: dismissed.title } : null}
        dismissedAt={dismissed ? placeOnPage(c.req.query('at')) : null}
      />
    ));
  });

  app.get(NOT_INTERESTED_PATH, async (c) => {
    const user = c.get('user');
    if (!user) return c.redirect(`/signin?next=${encodeURIComponent(NOT_INTERESTED_PATH)}`, 303);
    c.header('Cache-Control', 'private, no-store');
    const marks = await listNotInterested(store.db, user.id, NOT_INTERESTED_LISTED);
    return web.html(c, <NotInterestedPage site={await web.site(c)} marks={marks} nowMs={deps.clock.now()} />);
  });

  app.post('/actions/not-interested', async (c: Context<AppEnv>) => {
    const body = await readForm(c);
    const field = (k: string): string | undefined => body[k];
    verifyCsrf(c, auth, field('_csrf'));
    if (!c.get('user')) throw new UserError(401, 'Sign in first.');
    const paperId = parseArxivId(field('paper') ?? '')?.id;
    if (!paperId) throw new UserError(400, 'That is not a paper.');
    const want = field('want') !== '0';
    await markNotInterested({ store, now: () => deps.clock.now() }, c.get('user'), paperId, want);
    if ((c.req.header('accept') ?? '').includes('application/json')) return c.json({ paper: paperId, notInterested: want });
    const next = safeNext(field('next'), '/for-you');
    if (!want) return c.redirect(next, 303);
    // Into the query, before any #fragment (after one it would be part of the fragment, and lost).
    const hash = next.indexOf('#');
    const [path, fragment] = hash >= 0 ? [next.slice(0, hash), next.slice(hash)] : [next, ''];
    return c.redirect(`${path}${path.includes('?') ? '&' : '?'}dismissed=${encodeURIComponent(paperId)}${fragment}`, 303);
  });
}
