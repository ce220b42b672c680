/**
 * rss.arxiv.org RSS 2.0 feeds (the 2024 format): one `<item>` per paper announced on the
 * feed's day, with `arxiv:announce_type` (new, cross, replace, replace-cross), `dc:creator`
 * (authors, comma separated) and `dc:rights` (the paper's licence).
 *
 * Two layers: {@link readRssFeed} reads the channel and items as strings; {@link adaptRssItem}
 * maps one item to a {@link PaperRecord}. {@link parseRssFeed} runs both.
 *
 * @example
 * const feed = parseRssFeed(xml);
 * feed.day                          // '2024-11-28'
 * feed.records[0]?.announceType     // 'new'
 */
import type { AnnounceType, PaperRecord, PaperVersion } from '../domain/paper.ts';
import { ArxivParseError, RssFeedError, type ParseIssue } from './errors.ts';
import {
  RecordRejected,
  checkRequired,
  checkSizes,
  clip,
  collapseWhitespace,
  detexText,
  optionalText,
  orderCategories,
  parseRfc822,
  requireArxivId,
  splitAuthors,
} from './normalize.ts';
import { NotTextError, child, childText, children, isNode, looseChildText, parseXmlDocument, text } from './xml.ts';

/** One `<item>` as written (undefined = element absent). */
export interface RssItem {
  title: string | undefined;
  link: string | undefined;
  /** `arXiv:2411.17700v1 Announce Type: new \nAbstract: ...` */
  description: string | undefined;
  /** `oai:arXiv.org:2411.17700v1` */
  guid: string | undefined;
  categories: string[];
  pubDate: string | undefined;
  announceType: string | undefined;
  rights: string | undefined;
  creators: string[];
}

/** The channel as written. */
export interface RssFeed {
  title: string | undefined;
  description: string | undefined;
  pubDate: string | undefined;
  items: RssItem[];
  /** Items that could not even be read as strings. */
  errors: ParseIssue[];
}

/** A day's feed mapped to records. */
export interface RssResult {
  /** The listing day (YYYY-MM-DD, as arXiv dates it), or null when the feed gives no date. */
  day: string | null;
  records: PaperRecord[];
  /** Items skipped, with the reason. */
  errors: ParseIssue[];
}

const ANNOUNCE_TYPES: ReadonlySet<string> = new Set<AnnounceType>(['new', 'cross', 'replace', 'replace-cross']);
const ERROR_TITLE = /^\s*Feed error for query:?\s*(.*)$/i;
const DESCRIPTION_PREFIX = /^\s*arXiv:(\S+)\s+Announce Type:\s*\S+\s*(?:Abstract:\s*)?/i;
const OAI_GUID = /^oai:arXiv\.org:(.+)$/i;
const ABS_URL = /arxiv\.org\/abs\/(.+)$/i;
const OLD_TITLE_SUFFIX = /\s*\(arXiv:[^)]*\)\s*$/; // "Title. (arXiv:2401.00001v1 [cs.CL])" in older feeds

/**
 * Reads an RSS document; `context` prefixes error messages. Throws {@link RssFeedError} for
 * arXiv's error channel and {@link ArxivParseError} when the body is not an RSS feed.
 */
export function readRssFeed(xml: string, context?: string): RssFeed {
  const rss = parseXmlDocument(xml, 'rss', 'rss', context);
  const channel = child(rss, 'channel');
  if (!isNode(channel)) {
    throw new ArxivParseError('rss', 'malformed', '<rss> has no <channel>', null, null, context ?? null);
  }
  const title = looseChildText(channel, 'title');
  const description = looseChildText(channel, 'description');
  const err = title !== undefined ? ERROR_TITLE.exec(title) : null;
  if (err) {
    throw new RssFeedError(collapseWhitespace(description ?? title ?? ''), optionalText(err[1]) ?? null);
  }
  const items: RssItem[] = [];
  const errors: ParseIssue[] = [];
  for (const [i, it] of children(channel, 'item').entries()) {
    try {
      items.push({
        title: childText(it, 'title'),
        link: childText(it, 'link'),
        description: childText(it, 'description'),
        guid: childText(it, 'guid'),
        categories: children(it, 'category').map((c) => text(c, 'category') ?? ''),
        pubDate: childText(it, 'pubDate'),
        announceType: childText(it, 'announce_type'),
        rights: childText(it, 'rights'),
        creators: children(it, 'creator').map((c) => text(c, 'creator') ?? ''),
      });
    } catch (e) {
      if (!(e instanceof NotTextError)) throw e;
      errors.push({ reason: e.message, entry: looseChildText(it, 'guid')?.trim() || `#${i + 1}` });
    }
  }
  return { title, description, pubDate: looseChildText(channel, 'pubDate'), items, errors };
}

/**
 * Maps one item to a record announced on the item's day (its pubDate, else the channel's).
 * The item gives the announced version (`v2` in the guid) but no submission dates, so versions
 * carry `submittedAt: null`. For a `new` item `publishedAt` is the announcement time; for the
 * other types the first announcement was earlier and is unknown (null).
 * Throws {@link RecordRejected} with the reason to skip it.
 */
export function adaptRssItem(item: RssItem, channelPubDate?: string): PaperRecord {
  const rawId =
    OAI_GUID.exec(item.guid?.trim() ?? '')?.[1] ??
    DESCRIPTION_PREFIX.exec(item.description ?? '')?.[1] ??
    ABS_URL.exec(item.link?.trim() ?? '')?.[1];
  const { id, version } = requireArxivId(rawId, 'guid');
  const dateRaw = item.pubDate ?? channelPubDate;
  if (dateRaw === undefined) throw new RecordRejected('no pubDate on item or channel');
  const date = parseRfc822(dateRaw);
  if (date === null) throw new RecordRejected(`invalid pubDate: ${JSON.stringify(clip(dateRaw))}`);
  const typeRaw = item.announceType?.trim().toLowerCase();
  const announceType = typeRaw !== undefined && ANNOUNCE_TYPES.has(typeRaw) ? (typeRaw as AnnounceType) : null;
  const versions: PaperVersion[] = [];
  for (let v = 1; v <= (version ?? 0); v++) versions.push({ version: v, submittedAt: null });
  const record: PaperRecord = {
    id,
    title: detexText(collapseWhitespace((item.title ?? '').replace(OLD_TITLE_SUFFIX, ''))),
    abstract: detexText(collapseWhitespace((item.description ?? '').replace(DESCRIPTION_PREFIX, ''))),
    authors: item.creators.flatMap((c) => splitAuthors(c)),
    categories: orderCategories(null, item.categories),
    // Only a "new" item is the paper's first announcement: "cross" also lists older papers
    // newly cross-listed (2202.06515 in the 2024-11-28 feed).
    publishedAt: announceType === 'new' ? date.iso : null,
    updatedAt: date.iso,
    versions,
    license: optionalText(item.rights),
    announcedOn: [date.day],
    announceType,
  };
  checkRequired(record);
  checkSizes(record);
  return record;
}

/**
 * Parses an rss.arxiv.org feed into records announced on the feed's day. An empty feed (no
 * announcements, e.g. on weekends) has zero records. Items that fail are skipped and listed in
 * `errors`. Throws {@link RssFeedError} for arXiv's error channel and {@link ArxivParseError}
 * when the body is not an RSS feed. `context` prefixes error messages.
 */
export function parseRssFeed(xml: string, context?: string): RssResult {
  const feed = readRssFeed(xml, context);
  const records: PaperRecord[] = [];
  const errors = [...feed.errors];
  for (const [i, item] of feed.items.entries()) {
    try {
      records.push(adaptRssItem(item, feed.pubDate));
    } catch (e) {
      if (!(e instanceof RecordRejected)) throw e;
      errors.push({ reason: e.message, entry: item.guid?.trim() || `#${i + 1}` });
    }
  }
  const day = feed.pubDate !== undefined ? parseRfc822(feed.pubDate)?.day ?? null : null;
  return { day, records, errors };
}
