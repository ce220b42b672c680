/**
 * Digest pages: the web version of a digest, and the admin page (subscribers, last runs,
 * problems, a preview of today's digest).
 */
import { describeSubscription, windowLabel } from '../../mail/digest-template.tsx';
import type { OutboxRow } from '../../store/outbox.ts';
import type { SubscriberCounts, Subscription } from '../../store/subscriptions.ts';
import type { JobRun, PaperCard } from '../../store/types.ts';
import { Csrf, scrollable } from './controls.tsx';
import { Layout, type SiteInfo } from './layout.tsx';
import { PaperCardView } from './paper-card.tsx';
import { AdminNav } from './admin-nav.tsx';

export function DigestWebPage({ site, subscription, row, cards, nowMs }: { site: SiteInfo; subscription: Subscription; row: OutboxRow; cards: PaperCard[]; nowMs: number }) {
  const what = subscription.kind === 'search' ? `Alert for "${subscription.query ?? ''}"` : subscription.kind === 'for-you' ? 'Papers for you' : 'Trending papers';
  const title = `${what}, ${windowLabel({ from: row.windowFrom, to: row.windowTo })}`;
  return (
    <Layout site={site} title={title}>
      <h1>{title}</h1>
      <p class="muted">The digest sent to {subscription.email}: {describeSubscription(subscription)}.</p>
      <div class="cards">
        {cards.length === 0 ? <p class="empty">This digest listed no papers that are still on the site.</p> : cards.map((card, i) => (
          <PaperCardView card={card} nowMs={nowMs} rank={i + 1} viewer={site.viewer} next={`/papers/${card.id}`} />
        ))}
      </div>
    </Layout>
  );
}

export interface AdminDigestsProps {
  site: SiteInfo;
  counts: SubscriberCounts;
  outbox: Record<string, number>;
  schedule: { at: string | null; timeZone: string; weeklyDay: number; lastDate: string | null } | null;
  runs: JobRun[];
  subscribers: Subscription[];
  search: string;
  bounced: { email: string; bouncedAt: string; reason: string | null }[];
  problems: (OutboxRow & { email: string })[];
  preview: { date: string; label: string; subject: string; text: string; cards: PaperCard[]; note: string | null; emlHref: string } | null;
  nowMs: number;
}

/**
 * A box that scrolls sideways on narrow screens: keyboard users reach it with Tab and scroll it
 * with the arrow keys; screen readers announce it by its label.
 */
const RUN_KEYS = ['enqueued', 'sent', 'skipped', 'failed', 'unknown', 'retrying', 'bounced', 'ms'] as const;
const DAY_NAMES = ['', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

export function AdminDigestsPage(p: AdminDigestsProps) {
  const { counts } = p;
  return (
    <Layout site={p.site} title="Digests">
      <AdminNav current="/admin/digests" />
      <h1>Digests</h1>
      <p>
        {p.schedule?.at
          ? <>Sent every day at {p.schedule.at} ({p.schedule.timeZone}), or at 00:00 UTC when that is later (a digest covers complete UTC list days); weekly ones on {DAY_NAMES[p.schedule.weeklyDay]}. Last scheduled day: {p.schedule.lastDate ?? 'none yet'}.</>
          : <>The scheduler has not recorded a schedule (<code>PAPERBOY_DIGEST_SCHEDULE</code>).</>}
        {' '}By hand: <code>paperboy digest send --dry-run</code>.
      </p>

      <h2>Subscribers</h2>
      <p>
        {counts.active} active ({counts.byPeriod.daily} daily, {counts.byPeriod.weekdays} weekdays, {counts.byPeriod.weekly} weekly;
        {' '}{counts.byKind.trending} trending, {counts.byKind.search} search alerts, {counts.byKind['for-you']} for you), {counts.pending} waiting for confirmation,
        {' '}{counts.unsubscribed} unsubscribed, {counts.bounced} stopped after a permanent error.
        {' '}Outbox: {Object.entries(p.outbox).map(([k, v]) => `${v} ${k}`).join(', ')}.
      </p>
      <form method="get" action="/admin/digests" class="inline" role="search">
        <label>Find an address <input type="search" name="q" value={p.search} maxlength={254} /></label> <button type="submit">Find</button>
      </form>
      <div class="table-wrap" {...scrollable('Subscriptions, newest first')}>
        <table class="runs">
          <caption class="sr-only">Subscriptions, newest first</caption>
          <thead><tr><th scope="col">Address</th><th scope="col">What</th><th scope="col">Since</th><th scope="col">State</th></tr></thead>
          <tbody>
            {p.subscribers.map((s) => (
              <tr>
                <td>{s.email}</td>
                <td>{describeSubscription(s)}</td>
                <td>{s.createdAt.slice(0, 10)}</td>
                <td class={s.bouncedAt ? 'status failed' : ''}>
                  {s.unsubscribedAt ? `unsubscribed ${s.unsubscribedAt.slice(0, 10)}` : s.bouncedAt ? `bounced ${s.bouncedAt.slice(0, 10)}` : s.confirmedAt ? 'active' : 'waiting for confirmation'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <h2>Addresses stopped after a permanent error</h2>
      {p.bounced.length === 0 ? <p class="empty">None.</p> : (
        <div class="table-wrap" {...scrollable('Bounced addresses')}>
          <table class="runs">
            <caption class="sr-only">Bounced addresses</caption>
            <thead><tr><th scope="col">Address</th><th scope="col">Since</th><th scope="col">Server's answer</th><th scope="col">Action</th></tr></thead>
            <tbody>
              {p.bounced.map((b) => (
                <tr>
                  <td>{b.email}</td><td>{b.bouncedAt.slice(0, 16).replace('T', ' ')}</td><td class="err">{b.reason ?? ''}</td>
                  <td>
                    <form method="post" action="/admin/digests/bounces" class="inline">
                      <Csrf viewer={p.site.viewer} />
                      <input type="hidden" name="email" value={b.email} />
                      <button type="submit" aria-label={`Send again to ${b.email}`}>Send again</button>
                    </form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <h2>Last runs</h2>
      {p.runs.length === 0 ? <p class="empty">No runs yet.</p> : (
        <div class="table-wrap" {...scrollable('Last digest runs')}>
          <table class="runs">
            <caption class="sr-only">Last digest runs</caption>
            <thead><tr><th scope="col">Started (UTC)</th><th scope="col">Run</th><th scope="col">Status</th>{RUN_KEYS.map((k) => <th scope="col" class="num">{k}</th>)}<th scope="col">Error</th></tr></thead>
            <tbody>
              {p.runs.map((r) => (
                <tr>
                  <td><time datetime={r.startedAt}>{r.startedAt.slice(0, 19).replace('T', ' ')}</time></td>
                  <td>{r.mode ?? ''}</td>
                  <td class={`status ${r.status}`}>{r.status}</td>
                  {RUN_KEYS.map((k) => <td class="num">{r.counts?.[k] ?? ''}</td>)}
                  <td class="err">{r.error ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      {p.problems.length > 0 ? (
        <>
          <h2>Failed and unknown deliveries</h2>
          <div class="table-wrap" {...scrollable('Latest failed and unknown deliveries')}>
            <table class="runs">
              <caption class="sr-only">Latest failed and unknown deliveries</caption>
              <thead><tr><th scope="col">Address</th><th scope="col">Digest</th><th scope="col">Status</th><th scope="col" class="num">Attempts</th><th scope="col">Why</th></tr></thead>
              <tbody>
                {p.problems.map((r) => (
                  <tr><td>{r.email}</td><td>{r.period} {r.periodKey}</td><td class="status failed">{r.status}</td><td class="num">{r.attempts}</td><td class="err">{r.lastError ?? ''}</td></tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : null}

      <h2>Preview: {p.preview ? p.preview.label : "today's digest"}</h2>
      {!p.preview ? <p class="empty">No papers to preview.</p> : (
        <>
          {p.preview.note ? <p class="notice">{p.preview.note}</p> : null}
          <p>Subject: <strong>{p.preview.subject}</strong> · <a href={p.preview.emlHref}>Download the message (.eml)</a> to open it in a mail client.</p>
          <div class="cards">
            {p.preview.cards.map((card, i) => <PaperCardView card={card} nowMs={p.nowMs} rank={i + 1} viewer={null} next="/admin/digests" readOnly />)}
          </div>
          <details>
            <summary>Plain-text part</summary>
            <pre {...scrollable('Plain-text part of the preview')}>{p.preview.text}</pre>
          </details>
        </>
      )}
    </Layout>
  );
}
