/**
 * The JSON shapes the APIs return, as zod schemas: the presenters build these, the OpenAPI
 * document is generated from them, and the contract tests parse responses with them.
 *
 * Hugging Face-compatible shapes use Hugging Face's field names exactly (camelCase, `_id`),
 * timestamps in UTC with milliseconds and `Z`.
 */
import { z } from 'zod';

/** `2024-07-18T05:15:24.000Z`: UTC, milliseconds, `Z`, as Hugging Face writes timestamps. */
export const IsoMillis = z.iso.datetime({ precision: 3 }).meta({ id: 'Timestamp', description: 'UTC, with milliseconds and Z.', examples: ['2025-05-06T08:00:00.000Z'] });
/** A UTC calendar day. */
export const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/).meta({ format: 'date', examples: ['2025-05-06'] });
/** A 24-hex-digit identifier, the form Hugging Face's `_id` fields take (stable for the same thing). */
const ObjectId = z.string().regex(/^[0-9a-f]{24}$/).meta({ examples: ['65a1f0c2b5e4d3a2f1e0d9c8'] });

// --- Hugging Face-compatible ---------------------------------------------------------------------

export const HfUser = z.object({
  _id: ObjectId,
  name: z.string().describe('The username.'),
  user: z.string().describe('The username (Hugging Face repeats it here; huggingface_hub reads this one).'),
  fullname: z.string(),
  avatarUrl: z.string().describe('An absolute URL of an image.'),
  isPro: z.boolean(),
  type: z.literal('user'),
}).meta({ id: 'HfUser', description: 'A member of this instance, shaped like a Hugging Face user.' });

export const HfAuthor = z.object({
  _id: ObjectId,
  name: z.string(),
  hidden: z.boolean(),
  user: HfUser.optional().describe('The member who is this author, when they have an account here.'),
}).meta({ id: 'HfAuthor' });

export const HfPaper = z.object({
  id: z.string().describe('The arXiv id without version.').meta({ examples: ['2505.00201'] }),
  authors: z.array(HfAuthor).describe('Every author, in the paper\'s order.'),
  publishedAt: IsoMillis.nullable().describe('When arXiv published the first version.'),
  submittedOnDailyAt: IsoMillis.optional().describe('When the paper entered the Daily papers list (absent when it never did).'),
  submittedOnDailyBy: HfUser.optional().describe('Who put it on the list (absent when unknown).'),
  title: z.string(),
  summary: z.string().describe('The abstract.'),
  upvotes: z.number().int().min(0),
  discussionId: ObjectId.describe('The id of the paper\'s discussion (its comments).'),
  githubRepo: z.string().optional().describe('The code repository, when one is known.'),
  projectPage: z.string().optional(),
  ai_keywords: z.array(z.string()).optional().describe('Keywords extracted from the title and abstract on this instance (absent until computed).'),
}).meta({ id: 'HfPaper', description: 'A paper, shaped like Hugging Face\'s paper object.' });

export const HfDailyRow = z.object({
  paper: HfPaper,
  publishedAt: IsoMillis.describe('When the paper entered the Daily papers list (arXiv\'s date for papers never listed).'),
  title: z.string(),
  summary: z.string(),
  upvotes: z.number().int().min(0),
  thumbnail: z.string().describe('An absolute URL of a picture of the paper\'s title.'),
  numComments: z.number().int().min(0),
  submittedBy: HfUser.nullable().describe('Who put it on the list; null when unknown (imported lists).'),
  isAuthorParticipating: z.boolean(),
}).meta({ id: 'HfDailyRow', description: 'A row of a Daily papers list, shaped like Hugging Face\'s.' });

// --- Paperboy /api/v1 --------------------------------------------------------------------------

export const DailyEntry = z.object({
  day: Day,
  submittedAt: IsoMillis,
  submittedBy: z.string().nullable().describe('Username; null when unknown.'),
  featured: z.boolean(),
  pinned: z.boolean(),
}).meta({ id: 'DailyEntry', description: 'How the paper entered the Daily papers list.' });

export const Paper = z.object({
  id: z.string().meta({ examples: ['2505.00201'] }),
  title: z.string(),
  abstract: z.string(),
  authors: z.array(z.string()).describe('Every author, in order.'),
  categories: z.array(z.string()).describe('arXiv categories, primary first.'),
  publishedAt: IsoMillis.nullable(),
  upvotes: z.number().int().min(0),
  commentsCount: z.number().int().min(0),
  withdrawn: z.boolean(),
  codeUrl: z.string().nullable(),
  projectUrl: z.string().nullable(),
  url: z.string().describe('The paper\'s page on this site.'),
  links: z.object({ abs: z.string(), pdf: z.string(), html: z.string() }).describe('The paper on arXiv.'),
  daily: DailyEntry.nullable(),
  keywords: z.array(z.string()).describe('Keywords extracted from the title and abstract, best first (empty until computed).'),
}).meta({ id: 'Paper' });

export const PaperDetail = Paper.extend({
  primaryCategory: z.string().nullable(),
  latestVersion: z.number().int().min(1),
  updatedAt: IsoMillis.nullable(),
  versions: z.array(z.object({ version: z.number().int(), submittedAt: IsoMillis.nullable(), size: z.string().nullable() })),
  comment: z.string().nullable().describe('The authors\' comment on arXiv (pages, venue).'),
  journalRef: z.string().nullable(),
  doi: z.string().nullable(),
  license: z.string().nullable(),
  announcedOn: z.array(Day).describe('Days arXiv announced the paper.'),
}).meta({ id: 'PaperDetail' });

export const Window = z.object({
  period: z.enum(['day', 'week', 'month']),
  label: z.string().meta({ examples: ['2025-05-06', '2025-W19', '2025-05'] }),
  from: Day,
  to: Day,
}).meta({ id: 'Window' });

export const PaperList = z.object({
  window: Window.nullable().describe('Null when there is no list yet.'),
  sort: z.enum(['trending', 'upvotes', 'newest']),
  page: z.number().int().min(1),
  perPage: z.number().int().min(1),
  pages: z.number().int().min(1),
  total: z.number().int().min(0),
  prev: z.string().nullable().describe('The label of the nearest earlier window that has papers (in the category, when given); null before the first.'),
  next: z.string().nullable().describe('The label of the nearest later window that has papers; null after the last.'),
  papers: z.array(Paper),
}).meta({ id: 'PaperList' });

export const SearchResults = z.object({
  query: z.string(),
  papers: z.array(Paper),
}).meta({ id: 'SearchResults' });

export const Papers = z.object({ papers: z.array(Paper) }).meta({ id: 'Papers' });
export const SimilarPapers = z.object({
  papers: z.array(Paper.extend({ reason: z.string().optional().describe('Why it is similar: "close in meaning; shares: diffusion, distillation".') })),
}).meta({ id: 'SimilarPapers' });

export const Comment = z.object({
  id: z.number().int(),
  parentId: z.number().int().nullable(),
  author: z.string().nullable().describe('Username; null for a deleted account.'),
  body: z.string().nullable().describe('Markdown; null when deleted by its author or hidden by a moderator.'),
  score: z.number().int(),
  createdAt: IsoMillis,
  editedAt: IsoMillis.nullable(),
  state: z.enum(['visible', 'deleted', 'hidden']),
}).meta({ id: 'Comment' });

export const Comments = z.object({ paperId: z.string(), comments: z.array(Comment) }).meta({ id: 'Comments' });

export const Created = z.object({ id: z.number().int(), url: z.string() }).meta({ id: 'Created' });

export const VoteState = z.object({ voted: z.boolean(), upvotes: z.number().int().min(0) }).meta({ id: 'VoteState' });

export const Submission = z.object({
  paperId: z.string(),
  day: Day.describe('The list the paper entered: today.'),
  fetched: z.boolean().describe('Whether the paper was fetched from arXiv for this.'),
  url: z.string(),
}).meta({ id: 'Submission' });

export const Collection = z.object({
  id: z.number().int(),
  owner: z.string(),
  name: z.string(),
  slug: z.string(),
  public: z.boolean(),
  size: z.number().int().min(0),
  createdAt: IsoMillis,
  url: z.string(),
  feeds: z.object({ rss: z.string(), atom: z.string() }).nullable().describe('Feeds of a public collection.'),
}).meta({ id: 'Collection' });

export const Collections = z.object({ collections: z.array(Collection) }).meta({ id: 'Collections' });
export const CollectionWithPapers = Collection.extend({ papers: z.array(Paper) }).meta({ id: 'CollectionWithPapers' });

export const Me = z.object({
  username: z.string(),
  role: z.enum(['member', 'curator', 'admin']),
  verified: z.boolean().describe('Whether the e-mail address is confirmed (needed to submit and comment).'),
  createdAt: IsoMillis,
  token: z.object({ name: z.string(), scope: z.enum(['read', 'write']), expiresAt: IsoMillis.nullable() }),
}).meta({ id: 'Me' });

export const DayCount = z.object({ day: Day, n: z.number().int().min(0) });

const Series = z.object({ from: Day, to: Day, days: z.array(DayCount) }).nullable();

export const Stats = z.object({
  papersPerDay: Series.describe('Papers arXiv announced each day.'),
  listedPerDay: Series.describe('Papers that entered the Daily papers list each day.'),
  votesPerDay: Series.describe('Upvotes cast each day.'),
  topCategories: z.array(z.object({ category: z.string(), n: z.number().int() })).describe('Categories of the papers announced in the papers-per-day window.'),
  topOfMonth: z.object({ month: z.string(), papers: z.array(Paper) }).nullable().describe('The most upvoted Daily papers of the month.'),
}).meta({ id: 'Stats' });

export const VoteHistory = z.object({
  paperId: z.string(),
  from: Day,
  to: Day,
  total: z.number().int().min(0),
  days: z.array(z.object({ day: Day, votes: z.number().int().min(0), total: z.number().int().min(0) })),
}).meta({ id: 'VoteHistory' });

export const ErrorBody = z.object({ error: z.string() });

export const SubscriptionSchema = z.object({
  id: z.number().int(),
  email: z.string(),
  period: z.enum(['daily', 'weekdays', 'weekly']),
  kind: z.enum(['trending', 'search', 'for-you']),
  query: z.string().nullable().describe('The saved search of a search alert.'),
  state: z.enum(['pending', 'active', 'unsubscribed', 'bounced']).describe('pending: waiting for the address to be confirmed.'),
  createdAt: IsoMillis,
}).meta({ id: 'Subscription' });

export const Subscriptions = z.object({ subscriptions: z.array(SubscriptionSchema) }).meta({ id: 'Subscriptions' });

export const SubscribeResult = z.object({
  outcome: z.enum(['subscribed', 'already-subscribed', 'check-inbox']).describe('subscribed or already-subscribed for a confirmed address; otherwise check-inbox: the address was e-mailed a confirmation link (or was a few minutes ago)'),
  subscription: SubscriptionSchema.nullable(),
}).meta({ id: 'SubscribeResult' });
