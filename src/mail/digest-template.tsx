/**
 * The e-mails of subscriptions, rendered pure: the digest (HTML and plain text), the
 * confirmation request, the "already subscribed" note. HTML is escaped by hono/jsx; styles are
 * inline (mail clients drop style sheets), with a dark-mode block for clients that honour it, and
 * nothing is loaded from elsewhere.
 */
import { controlsToSpaces } from '../domain/text.ts';
import { counted } from '../domain/words.ts';
import { addDays, isoWeekOf } from '../domain/dates.ts';
import type { DigestKind, DigestPeriod } from '../domain/digest.ts';

export interface DigestPaper {
  id: string;
  title: string;
  abstract: string;
  authors: string[];
  authorCount: number;
  categories: string[];
  upvotes: number;
}

export interface DigestMailInput {
  siteName: string;
  baseUrl: string;
  to: string;
  kind: DigestKind;
  period: DigestPeriod;
  query: string | null;
  window: { from: string; to: string };
  papers: DigestPaper[];
  /**
   * Papers that qualified before the limit (the e-mail lists `papers`). Trending digests point to
   * the period's lists for the rest; alerts and "for you" have no page of their own for them.
   */
  total: number;
  /**
   * The list days of the papers left out (trending), so "more" links only days whose list holds
   * them; when absent, every day of the window is linked.
   */
  restDays?: readonly string[] | undefined;
  links: { web: string; manage: string; unsubscribe: string };
  /** For you: why each paper was picked, by paper id. */
  reasons?: Record<string, string>;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

const ABSTRACT_CHARS = 300;
/** Categories a digest shows for each paper, the first ones (the primary category first). */
const MAIL_CATEGORIES = 3;
const AUTHORS_SHOWN = 4;
const SUBJECT_QUERY_CHARS = 60;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

function shortDay(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}`;
}

/** `Mon Jun 2` or `Fri May 30 – Sun Jun 1`. */
export function windowLabel(w: { from: string; to: string }): string {
  return w.from === w.to ? shortDay(w.from) : `${shortDay(w.from)} – ${shortDay(w.to)}`;
}

/** What a subscription is, in words: "the daily digest of trending papers", `weekly alerts for "x"`. */
export function describeSubscription(s: { kind: string; period: DigestPeriod; query: string | null }): string {
  const how = s.period === 'daily' ? 'daily' : s.period === 'weekdays' ? 'weekday' : 'weekly';
  if (s.kind === 'search') return `${how} alerts for "${s.query ?? ''}"`;
  if (s.kind === 'for-you') return `the ${how} digest of papers picked for you (like the ones you upvoted)${s.period === 'weekdays' ? ' (Monday to Friday)' : ''}`;
  return `the ${how} digest of trending papers${s.period === 'weekdays' ? ' (Monday to Friday)' : ''}`;
}

function cut(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const head = flat.slice(0, max);
  const space = head.lastIndexOf(' ');
  return `${head.slice(0, space > max * 0.6 ? space : max).replace(/[\s,;:.]+$/, '')}…`;
}

/** What a digest shows of a paper's categories and abstract; the admin preview shows the same. */
export function mailPaperFields(p: { categories: readonly string[]; abstract: string }): { categories: string[]; abstract: string } {
  return { categories: p.categories.slice(0, MAIL_CATEGORIES), abstract: cut(p.abstract, ABSTRACT_CHARS) };
}

function authorLine(p: DigestPaper): string {
  const shown = p.authors.slice(0, AUTHORS_SHOWN).join(', ');
  return p.authorCount > AUTHORS_SHOWN ? `${shown} et al.` : shown;
}

/** One line, no control characters (C1 and bidi overrides included): safe as a header value. */
function oneLine(s: string): string {
  return controlsToSpaces(s).replace(/\s+/g, ' ').trim();
}

/** The subject counts the papers the e-mail lists. */
export function digestSubject(d: Pick<DigestMailInput, 'siteName' | 'kind' | 'period' | 'query' | 'window' | 'papers'>): string {
  const n = d.papers.length;
  const papers = `${n} ${n === 1 ? 'paper' : 'papers'}`;
  if (d.kind === 'search') {
    const q = oneLine(d.query ?? '');
    const shown = q.length > SUBJECT_QUERY_CHARS ? `${q.slice(0, SUBJECT_QUERY_CHARS - 1)}…` : q;
    return oneLine(`${d.siteName} alert: ${n} new ${n === 1 ? 'paper' : 'papers'} for "${shown}" (${windowLabel(d.window)})`);
  }
  if (d.kind === 'for-you') return oneLine(`${d.siteName}${d.period === 'weekly' ? ' weekly' : ''}: ${papers} for you, ${windowLabel(d.window)}`);
  return oneLine(`${d.siteName}${d.period === 'weekly' ? ' weekly' : ''}: ${papers} trending, ${windowLabel(d.window)}`);
}

const paperUrl = (baseUrl: string, id: string) => `${baseUrl}/papers/${id}`;

/** Most day links a digest gives (a weekly window that is not an ISO week has seven days, or up to 14 when it makes good a missed week). */
const MAX_DAY_LINKS = 7;

/**
 * Where the papers a trending digest had no room for are: the list page of its day, of its ISO
 * week, or of each day of its window that holds some of them (Friday to Sunday on a weekday
 * Monday: only the days with such papers, never an empty weekend list). Null when the e-mail lists
 * every paper that qualified, or when it is not a trending digest (an alert's or "for you"'s other
 * matches have no page of their own: the e-mail says nothing about them).
 */
export function morePapers(d: Pick<DigestMailInput, 'baseUrl' | 'kind' | 'window' | 'papers' | 'total' | 'restDays'>): { count: number; lists: { label: string; url: string }[] } | null {
  const count = d.total - d.papers.length;
  if (d.kind !== 'trending' || count <= 0) return null;
  const { from, to } = d.window;
  const dayList = (day: string) => ({ label: shortDay(day), url: `${d.baseUrl}/papers/date/${day}` });
  if (from === to) return { count, lists: [dayList(from)] };
  const week = isoWeekOf(from);
  if (addDays(from, 6) === to && isoWeekOf(to) === week) return { count, lists: [{ label: `the week of ${shortDay(from)}`, url: `${d.baseUrl}/papers/week/${week}` }] };
  const days: string[] = [];
  for (let day = from; day <= to; day = addDays(day, 1)) days.push(day);
  const holding = d.restDays ? days.filter((day) => d.restDays!.includes(day)) : days;
  return { count, lists: (holding.length ? holding : days).slice(0, MAX_DAY_LINKS).map(dayList) };
}

function why(d: DigestMailInput): string {
  return `You get this e-mail because ${d.to} subscribed to ${describeSubscription(d)} on ${d.siteName}.`;
}

export function renderDigestText(d: DigestMailInput): string {
  const lines: string[] = [];
  lines.push(digestSubject(d), `View it in your browser: ${d.links.web}`, '');
  d.papers.forEach((p, i) => {
    lines.push(`${i + 1}. ${oneLine(p.title)}`);
    const shown = mailPaperFields(p);
    lines.push(`   ${authorLine(p)} · ▲ ${counted(p.upvotes, 'upvote')}${shown.categories.length ? ` · ${shown.categories.join(', ')}` : ''}`);
    lines.push(`   ${shown.abstract}`);
    const reason = d.reasons?.[p.id];
    if (reason) lines.push(`   Why: ${oneLine(reason)}`);
    lines.push(`   ${paperUrl(d.baseUrl, p.id)}`, '');
  });
  const more = morePapers(d);
  if (more && more.lists.length === 1) lines.push(`And ${more.count} more on the list of ${more.lists[0]!.label}: ${more.lists[0]!.url}`, '');
  else if (more) lines.push(`And ${more.count} more on the lists of these days:`, ...more.lists.map((l) => `   ${l.label}: ${l.url}`), '');
  lines.push('-- ', why(d), `Manage your subscription: ${d.links.manage}`, `Unsubscribe with one click: ${d.links.unsubscribe}`, '');
  return lines.join('\n');
}

const C = {
  bg: '#f5f7fa', card: '#ffffff', fg: '#1a1d23', muted: '#555b66', line: '#e3e6ea', accent: '#1f4fd1',
};
const FONT = 'font-family:system-ui,-apple-system,\'Segoe UI\',Roboto,\'Helvetica Neue\',Arial,sans-serif;';
/** For clients that support it (Apple Mail, iOS, some webmail); others keep the light inline colours. */
const DARK_CSS = '@media (prefers-color-scheme: dark){.pb-bg{background:#12151a!important}.pb-card{background:#181c22!important;border-color:#2a3039!important}'
  + '.pb-fg{color:#e8eaee!important}.pb-muted{color:#a6adb8!important}.pb-link{color:#8fb0ff!important}}';

function DigestHtml({ d }: { d: DigestMailInput }) {
  const subject = digestSubject(d);
  const preheader = d.papers.slice(0, 3).map((p) => oneLine(p.title)).join(' · ');
  const more = morePapers(d);
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <meta name="supported-color-schemes" content="light dark" />
        <title>{subject}</title>
        <style dangerouslySetInnerHTML={{ __html: DARK_CSS }} />
      </head>
      <body class="pb-bg" style={`margin:0;padding:0;background:${C.bg};`}>
        <div style="display:none;max-height:0;overflow:hidden;">{preheader}</div>
        <table role="presentation" width="100%" cellpadding={0} cellspacing={0} border={0} class="pb-bg" style={`background:${C.bg};`}>
          <tr>
            <td align="center" style="padding:16px 8px;">
              <table role="presentation" width="100%" cellpadding={0} cellspacing={0} border={0} style="max-width:640px;">
                <tr>
                  <td style={`${FONT}padding:4px 4px 12px 4px;`}>
                    <p class="pb-muted" style={`margin:0;font-size:13px;color:${C.muted};`}>
                      {d.siteName} · <a class="pb-link" href={d.links.web} style={`color:${C.accent};`}>View in your browser</a>
                    </p>
                    <h1 class="pb-fg" style={`margin:6px 0 0 0;font-size:22px;line-height:1.3;color:${C.fg};`}>{subject.replace(`${d.siteName}: `, '').replace(`${d.siteName} weekly: `, 'This week: ')}</h1>
                  </td>
                </tr>
                {d.papers.map((p, i) => (
                  <tr>
                    <td style="padding:0 0 10px 0;">
                      <table role="presentation" width="100%" cellpadding={0} cellspacing={0} border={0}>
                        <tr>
                          <td class="pb-card" style={`${FONT}background:${C.card};border:1px solid ${C.line};border-radius:8px;padding:14px 16px;`}>
                            <p class="pb-muted" style={`margin:0 0 4px 0;font-size:12px;color:${C.muted};`}>
                              {i + 1} · ▲ {counted(p.upvotes, 'upvote')}{p.categories.length ? ` · ${mailPaperFields(p).categories.join(', ')}` : ''}
                            </p>
                            <a class="pb-link" href={paperUrl(d.baseUrl, p.id)} style={`font-size:17px;line-height:1.35;font-weight:600;color:${C.accent};text-decoration:none;`}>{oneLine(p.title)}</a>
                            <p class="pb-muted" style={`margin:4px 0 0 0;font-size:13px;color:${C.muted};`}>{authorLine(p)}</p>
                            <p class="pb-fg" style={`margin:8px 0 0 0;font-size:14px;line-height:1.5;color:${C.fg};`}>{mailPaperFields(p).abstract}</p>
                            {d.reasons?.[p.id] ? <p class="pb-muted" style={`margin:6px 0 0 0;font-size:13px;color:${C.muted};`}>Why: {oneLine(d.reasons[p.id]!)}</p> : null}
                          </td>
                        </tr>
                      </table>
                    </td>
                  </tr>
                ))}
                {more ? (
                  <tr>
                    <td class="pb-fg" style={`${FONT}padding:4px;font-size:14px;color:${C.fg};`}>
                      And {more.count} more on the {more.lists.length === 1 ? 'list' : 'lists'} of{' '}
                      {more.lists.map((l, i) => (
                        <>{i === 0 ? '' : i === more.lists.length - 1 ? ' and ' : ', '}<a class="pb-link" href={l.url} style={`color:${C.accent};`}>{l.label}</a></>
                      ))}.
                    </td>
                  </tr>
                ) : null}
                <tr>
                  <td class="pb-muted" style={`${FONT}padding:14px 4px;font-size:12px;line-height:1.5;color:${C.muted};border-top:1px solid ${C.line};`}>
                    {why(d)}<br />
                    <a class="pb-link" href={d.links.manage} style={`color:${C.accent};`}>Manage your subscription</a> · <a class="pb-link" href={d.links.unsubscribe} style={`color:${C.accent};`}>Unsubscribe</a>
                  </td>
                </tr>
              </table>
            </td>
          </tr>
        </table>
      </body>
    </html>
  );
}

export function renderDigest(d: DigestMailInput): RenderedMail {
  return { subject: digestSubject(d), text: renderDigestText(d), html: `<!doctype html>${String(<DigestHtml d={d} />)}` };
}

function NoteHtml({ title, paragraphs, button }: { title: string; paragraphs: string[]; button?: { href: string; label: string } }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="color-scheme" content="light dark" />
        <title>{title}</title>
        <style dangerouslySetInnerHTML={{ __html: DARK_CSS }} />
      </head>
      <body class="pb-bg" style={`margin:0;padding:24px 12px;background:${C.bg};`}>
        <table role="presentation" width="100%" cellpadding={0} cellspacing={0} border={0} style="max-width:560px;margin:0 auto;">
          <tr>
            <td class="pb-card pb-fg" style={`${FONT}background:${C.card};border:1px solid ${C.line};border-radius:8px;padding:20px;font-size:15px;line-height:1.5;color:${C.fg};`}>
              <h1 style="margin:0 0 12px 0;font-size:20px;">{title}</h1>
              {paragraphs.map((p) => <p style="margin:0 0 12px 0;">{p}</p>)}
              {button ? (
                <p style="margin:16px 0;">
                  <a href={button.href} style={`display:inline-block;background:${C.accent};color:#ffffff;padding:10px 16px;border-radius:6px;text-decoration:none;font-weight:600;`}>{button.label}</a>
                </p>
              ) : null}
              {button ? <p class="pb-muted" style={`margin:0;font-size:12px;color:${C.muted};word-break:break-all;`}>{button.href}</p> : null}
            </td>
          </tr>
        </table>
      </body>
    </html>
  );
}

/** Asks to confirm a subscription (double opt-in). */
export function renderConfirmMail(m: { siteName: string; to: string; what: string; link: string; hours: number }): RenderedMail {
  const title = `Confirm your subscription to ${m.siteName}`;
  const paragraphs = [
    `Someone (hopefully you) asked to send ${m.what} to ${m.to}.`,
    `Nothing is sent until you confirm. The link works for ${m.hours} hours.`,
    'If it was not you, ignore this e-mail: you will not hear from us again.',
  ];
  const text = `${title}\n\n${paragraphs[0]}\n\nConfirm here:\n${m.link}\n\n${paragraphs[1]}\n${paragraphs[2]}\n`;
  return { subject: title, text, html: `<!doctype html>${String(<NoteHtml title={title} paragraphs={paragraphs} button={{ href: m.link, label: 'Confirm my subscription' }} />)}` };
}

/** Answers a subscribe request from an address that has as many subscriptions as it may. */
export function renderSubscriptionsFullMail(m: { siteName: string; to: string; what: string; max: number }): RenderedMail {
  const title = `Nothing added to your ${m.siteName} subscriptions`;
  const paragraphs = [
    `Someone (hopefully you) asked to send ${m.what} to ${m.to}. This address already has ${m.max} subscriptions, the most one address can have, so nothing changed.`,
    'Every e-mail we send has a link to stop it: stop one you no longer read, then ask again.',
  ];
  const text = `${title}\n\n${paragraphs[0]}\n\n${paragraphs[1]}\n`;
  return { subject: title, text, html: `<!doctype html>${String(<NoteHtml title={title} paragraphs={paragraphs} />)}` };
}

/** Answers a subscribe request for something the address already gets. */
export function renderAlreadySubscribedMail(m: { siteName: string; to: string; what: string; manage: string }): RenderedMail {
  const title = `You already get this from ${m.siteName}`;
  const paragraphs = [`Someone (hopefully you) asked to send ${m.what} to ${m.to}. This address already gets it, so nothing changed.`];
  const text = `${title}\n\n${paragraphs[0]}\n\nChange or stop it here:\n${m.manage}\n`;
  return { subject: title, text, html: `<!doctype html>${String(<NoteHtml title={title} paragraphs={paragraphs} button={{ href: m.manage, label: 'Manage the subscription' }} />)}` };
}

