/**
 * Presenters: the only place the API's JSON shapes are built (see schemas.ts for the shapes).
 * They take the store's view types and the site's base URL, nothing else.
 */
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { arxivLinks } from '../../domain/arxiv-id.ts';
import type { DayWindow } from '../../domain/dates.ts';
import type { FeedView } from '../../services/feed.ts';
import type { SiteStats, VoteHistory as VoteHistoryData } from '../../services/open-data.ts';
import type { ApiToken } from '../../store/api-tokens.ts';
import type { Collection as CollectionRow } from '../../store/collections.ts';
import type { CommentRow } from '../../store/comments.ts';
import { listedEntry, type PaperCard, type PaperDetail as PaperDetailRow } from '../../store/types.ts';
import type { Subscription as SubscriptionRow } from '../../store/subscriptions.ts';
import type { User } from '../../store/users.ts';
import type * as S from './schemas.ts';

export interface PresentContext {
  /** The site's absolute base URL, no trailing slash. */
  baseUrl: string;
}

/** A stable 24-hex-digit id for a thing (Hugging Face's `_id` form): the same input, the same id. */
export function objectId(kind: string, key: string): string {
  return createHash('sha1').update(`${kind}:${key}`).digest('hex').slice(0, 24);
}

/** An ISO timestamp as UTC with milliseconds and Z; null when there is none or it does not parse. */
export function isoMillis(value: string | null | undefined): string | null {
  if (!value) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

/** The URL path of a paper id (old-style ids keep their slash encoded in API paths). */
export const idPath = (id: string) => encodeURIComponent(id);

export function paperUrl(ctx: PresentContext, id: string): string {
  return `${ctx.baseUrl}/papers/${id}`;
}

// --- Hugging Face-compatible ---------------------------------------------------------------------

export function hfUser(ctx: PresentContext, username: string, fullname?: string | null): z.output<typeof S.HfUser> {
  return {
    _id: objectId('user', username.toLowerCase()), name: username, user: username, fullname: fullname || username,
    avatarUrl: `${ctx.baseUrl}/api/avatars/${encodeURIComponent(username)}.svg`, isPro: false, type: 'user',
  };
}

export function hfPaper(ctx: PresentContext, p: PaperCard | PaperDetailRow): z.output<typeof S.HfPaper> {
  const entry = listedEntry(p.entry);
  const submittedAt = isoMillis(entry?.submittedAt);
  return {
    id: p.id,
    authors: p.authors.map((name, i) => ({ _id: objectId('author', `${p.id}#${i}`), name, hidden: false })),
    publishedAt: isoMillis(p.publishedAt),
    ...(submittedAt ? { submittedOnDailyAt: submittedAt } : {}),
    ...(entry?.submittedBy ? { submittedOnDailyBy: hfUser(ctx, entry.submittedBy) } : {}),
    title: p.title,
    summary: p.abstract,
    upvotes: p.upvotes,
    discussionId: objectId('discussion', p.id),
    ...(p.codeUrl ? { githubRepo: p.codeUrl } : {}),
    ...(p.projectUrl ? { projectPage: p.projectUrl } : {}),
    ...(p.keywords.length > 0 ? { ai_keywords: p.keywords } : {}),
  };
}

export function hfDailyRow(ctx: PresentContext, p: PaperCard): z.output<typeof S.HfDailyRow> {
  const paper = hfPaper(ctx, p);
  return {
    paper,
    publishedAt: paper.submittedOnDailyAt ?? paper.publishedAt ?? new Date(0).toISOString(),
    title: p.title,
    summary: p.abstract,
    upvotes: p.upvotes,
    thumbnail: `${ctx.baseUrl}/api/papers/${idPath(p.id)}/thumbnail.svg`,
    numComments: p.commentsCount,
    submittedBy: paper.submittedOnDailyBy ?? null,
    isAuthorParticipating: false,
  };
}

// --- Paperboy /api/v1 --------------------------------------------------------------------------

export function paper(ctx: PresentContext, p: PaperCard): z.output<typeof S.Paper> {
  const entry = listedEntry(p.entry);
  const submittedAt = isoMillis(entry?.submittedAt);
  return {
    id: p.id,
    title: p.title,
    abstract: p.abstract,
    authors: p.authors,
    categories: p.categories,
    publishedAt: isoMillis(p.publishedAt),
    upvotes: p.upvotes,
    commentsCount: p.commentsCount,
    withdrawn: p.withdrawn,
    codeUrl: p.codeUrl,
    projectUrl: p.projectUrl,
    url: paperUrl(ctx, p.id),
    links: arxivLinks(p.id),
    daily: entry && submittedAt
      ? { day: entry.day, submittedAt, submittedBy: entry.submittedBy, featured: entry.featured, pinned: entry.pinned }
      : null,
    keywords: p.keywords,
  };
}

export function paperDetail(ctx: PresentContext, p: PaperDetailRow): z.output<typeof S.PaperDetail> {
  return {
    ...paper(ctx, p),
    primaryCategory: p.primaryCategory,
    latestVersion: p.latestVersion,
    updatedAt: isoMillis(p.updatedAt),
    versions: p.versions.map((v) => ({ version: v.version, submittedAt: isoMillis(v.submittedAt), size: v.size })),
    comment: p.comment,
    journalRef: p.journalRef,
    doi: p.doi,
    license: p.license,
    announcedOn: p.announcedOn,
  };
}

const windowOf = (w: DayWindow) => ({ period: w.period, label: w.label, from: w.from, to: w.to });

export function paperList(ctx: PresentContext, view: FeedView, papers: PaperCard[]): z.output<typeof S.PaperList> {
  return {
    window: view.window ? windowOf(view.window) : null,
    sort: view.sort,
    page: view.page,
    perPage: view.pageSize,
    pages: view.pages,
    total: view.total,
    prev: view.prev?.label ?? null,
    next: view.next?.label ?? null,
    papers: papers.map((p) => paper(ctx, p)),
  };
}

export function comment(c: CommentRow): z.output<typeof S.Comment> {
  const state = c.deletedAt ? 'deleted' : c.hiddenAt ? 'hidden' : 'visible';
  return {
    id: c.id,
    parentId: c.parentId,
    author: c.username,
    body: state === 'visible' ? c.body : null,
    score: c.score,
    createdAt: isoMillis(c.createdAt)!,
    editedAt: isoMillis(c.editedAt),
    state,
  };
}

export function collection(ctx: PresentContext, c: CollectionRow): z.output<typeof S.Collection> {
  const path = `/users/${encodeURIComponent(c.username)}/collections/${encodeURIComponent(c.slug)}`;
  const feed = `${ctx.baseUrl}/feeds/collections/${encodeURIComponent(c.username)}/${encodeURIComponent(c.slug)}`;
  return {
    id: c.id, owner: c.username, name: c.name, slug: c.slug, public: c.isPublic, size: c.size, createdAt: isoMillis(c.createdAt)!,
    url: `${ctx.baseUrl}${path}`,
    feeds: c.isPublic ? { rss: `${feed}.rss`, atom: `${feed}.atom` } : null,
  };
}

export function me(user: User, token: ApiToken): z.output<typeof S.Me> {
  return {
    username: user.username, role: user.role, verified: !!user.emailVerifiedAt, createdAt: isoMillis(user.createdAt)!,
    token: { name: token.name, scope: token.scope, expiresAt: isoMillis(token.expiresAt) },
  };
}

export function stats(ctx: PresentContext, s: SiteStats): z.output<typeof S.Stats> {
  return {
    papersPerDay: s.papersPerDay, listedPerDay: s.listedPerDay, votesPerDay: s.votesPerDay, topCategories: s.topCategories,
    topOfMonth: s.topOfMonth ? { month: s.topOfMonth.month, papers: s.topOfMonth.papers.map((p) => paper(ctx, p)) } : null,
  };
}

export function voteHistory(h: VoteHistoryData): z.output<typeof S.VoteHistory> {
  return { paperId: h.paperId, from: h.from, to: h.to, total: h.total, days: h.days };
}

export function subscription(s: SubscriptionRow): z.output<typeof S.SubscriptionSchema> {
  const state = s.bouncedAt ? 'bounced' : s.unsubscribedAt ? 'unsubscribed' : s.confirmedAt ? 'active' : 'pending';
  return { id: s.id, email: s.email, period: s.period, kind: s.kind, query: s.query, state, createdAt: isoMillis(s.createdAt)! };
}
