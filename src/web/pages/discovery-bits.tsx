/**
 * Small pieces of the discovery features that other pages show: author links, keyword chips,
 * an abstract with its keywords marked, and the paths of author and category pages.
 */
import { KeptMap } from '../../domain/kept.ts';
import { markKeywords, type KeywordSegment } from '../../domain/keywords.ts';

/** The page of everyone published under `name`. */
export function authorPath(name: string): string {
  return `/authors/${encodeURIComponent(name)}`;
}

/** A category's own page: its trending Daily papers. */
export function categoryPath(category: string): string {
  return `/categories/${category}`;
}

/** What a keyword chip searches for: the keyword as a phrase. */
export function keywordSearchPath(keyword: string): string {
  return `/search?q=${encodeURIComponent(`"${keyword.replace(/"/g, '')}"`)}`;
}

/** Author names, each a link to its author page, separated by commas. */
export function AuthorLinks({ names }: { names: string[] }) {
  return (
    <>
      {names.map((n, i) => (
        <>
          {i > 0 ? ', ' : ''}
          <a href={authorPath(n)}>{n}</a>
        </>
      ))}
    </>
  );
}

/** Keyword chips, each a search for it. */
export function KeywordChips({ keywords, label = 'Keywords' }: { keywords: string[]; label?: string }) {
  if (keywords.length === 0) return null;
  return (
    <ul class="chips keywords" aria-label={label}>
      {keywords.map((k) => <li><a class="chip" href={keywordSearchPath(k)}>{k}</a></li>)}
    </ul>
  );
}

/** Text with every occurrence of a keyword in <mark>. */
/**
 * Marked texts kept (abstracts on cards are marked on every page that shows them, and marking
 * tokenises the whole text): keyed by the keywords and the text, so nothing can go stale. About
 * 1 KB each.
 */
const MARKED_CACHE_ENTRIES = 5_000;
const marked = new KeptMap<string, KeywordSegment[]>(MARKED_CACHE_ENTRIES);

function markedSegments(text: string, keywords: string[]): KeywordSegment[] {
  const key = `${keywords.join('\u0001')}\u0000${text}`;
  let segs = marked.get(key);
  if (!segs) {
    segs = markKeywords(text, keywords);
    marked.set(key, segs);
  }
  return segs;
}

export function MarkedText({ text, keywords }: { text: string; keywords: string[] }) {
  return <>{markedSegments(text, keywords).map((s) => (s.keyword ? <mark class="kw" title={`keyword: ${s.keyword}`}>{s.text}</mark> : s.text))}</>;
}
