/**
 * /stats (charts drawn on the server) and the paper pages' vote sparkline, an SVG image at
 * /stats/votes.svg?paper=ID that `Sparkline` puts on a page.
 */
import type { Context, Hono } from 'hono';
import { sparkline } from '../domain/svg-chart.ts';
import { UserError } from '../services/errors.ts';
import { parseListWindow, requireArxivId, voteHistory, VOTE_HISTORY_DAYS, type OpenDataDeps, type SiteStats } from '../services/open-data.ts';
import type { DayWindow } from '../domain/dates.ts';
import type { Web } from './app.tsx';
import type { AppEnv } from './auth.ts';
import { conditionalGet } from './api/http.ts';
import { StatsPage } from './pages/stats.tsx';
import { MEMBER_PAGE } from './cache-policy.ts';
import { counted } from '../domain/words.ts';

/** The sparkline's colour: a mid blue that reads on the light and the dark theme (3:1 or more on both). */
const SPARK_COLOR = '#5b7fe0';

/** The upvote history of a paper as a small line, for its page. An image, so the page itself stays cacheable. */
export function Sparkline({ paperId, upvotes }: { paperId: string; upvotes: number }) {
  return (
    <img class="sparkline" src={`/stats/votes.svg?paper=${encodeURIComponent(paperId)}`} width={120} height={28} loading="lazy"
      alt={`Upvotes over the last ${VOTE_HISTORY_DAYS} days (${upvotes} in all)`} />
  );
}

export function mountStats(app: Hono<AppEnv>, web: Web, od: OpenDataDeps, keptStats: (month?: DayWindow) => Promise<SiteStats>): void {
  const { store } = web.deps;

  app.use('/stats', conditionalGet());
  app.use('/stats/*', conditionalGet());

  app.get('/stats', async (c) => {
    let month;
    const m = c.req.query('month');
    try {
      month = m !== undefined ? parseListWindow({ month: m }) ?? undefined : undefined;
    } catch (err) {
      if (err instanceof UserError) return web.errorPage(c, 400, err.message);
      throw err;
    }
    const stats = await keptStats(month);
    const site = await web.site(c);
    c.header('Cache-Control', c.get('user') ? MEMBER_PAGE : 'public, max-age=60');
    return web.html(c, <StatsPage site={site} stats={stats} demo={site.demo} />);
  });

  app.get('/stats/votes.svg', async (c: Context<AppEnv>) => {
    const plain = (status: 400 | 404, text: string) => c.text(text, status, { 'Cache-Control': 'no-store' });
    const raw = c.req.query('paper');
    if (raw === undefined) return plain(400, 'Give the paper: ?paper=2505.00201');
    let history;
    try {
      history = await voteHistory(od, requireArxivId(raw));
    } catch (err) {
      if (err instanceof UserError && (err.status === 400 || err.status === 404)) return plain(err.status, err.message);
      throw err;
    }
    const inWindow = history.days.reduce((a, d) => a + d.votes, 0);
    const markup = sparkline({
      values: history.days.map((d) => d.total),
      title: `Upvotes, last ${history.days.length} days`,
      description: `${counted(history.total, 'upvote')} in all, ${inWindow} of them from ${history.from} to ${history.to}.`,
      color: SPARK_COLOR,
    });
    return c.body(markup, 200, { 'Content-Type': 'image/svg+xml; charset=utf-8', 'Cache-Control': 'public, max-age=300' });
  });
}
