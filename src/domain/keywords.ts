/**
 * Keywords of a paper, from its title and abstract, scored against the instance's own corpus.
 * Pure and deterministic: the same text and the same corpus statistics give the same keywords.
 *
 * How (a RAKE-like candidate split, then tf-idf):
 * 1. The text is cut into phrases at punctuation, TeX math, URLs, numbers and stop words
 *    (English function words, words every abstract uses such as "propose" or "results", and the
 *    commonest function words of French, German, Spanish, Portuguese and Italian).
 * 2. Every run of 1 to 3 consecutive words inside a phrase is a candidate, keyed by its lower-cased
 *    words with English plurals folded ("Language Models" and "language model" are one key).
 * 3. A candidate scores (its count in the abstract, plus TITLE_WEIGHT for each time in the title)
 *    times its idf in the corpus, times a small bonus per extra word. A phrase of several words
 *    must occur twice (here or in the corpus) or be in the title: a one-off word sequence is not a term.
 * 4. The best candidates are taken in order, skipping any that contains or is contained in one
 *    already taken, up to MAX_KEYWORDS.
 *
 * @example
 * const model = buildKeywordModel(corpus);            // document frequencies of every candidate
 * extractKeywords({ title, abstract }, model);         // ['sparse attention', 'long documents', ...]
 */

/** How many keywords a paper gets at most (Hugging Face shows about this many). */
export const MAX_KEYWORDS = 8;
/** Longest candidate phrase, in words: longer runs are rarely one term. */
export const MAX_PHRASE_WORDS = 3;
/** Extra count for each time a candidate appears in the title: titles name the topic. */
export const TITLE_WEIGHT = 2;
/** Score bonus per word beyond the first: prefers "graph neural network" over "graph". */
const PHRASE_BONUS = 0.5;
/** Candidates in more than this share of the corpus's papers say nothing about one paper. */
const MAX_DOC_SHARE = 0.15;
/** Below this many papers the share rule is not applied (a tiny corpus has no "common" words yet). */
const MIN_DOCS_FOR_SHARE = 50;
/** Words longer than this are not words (hashes, long identifiers, unspaced CJK clauses). */
const MAX_WORD_CHARS = 30;

const ENGLISH_STOP = [
  'a', 'about', 'above', 'across', 'after', 'again', 'against', 'all', 'almost', 'along', 'also', 'although', 'always', 'among',
  'an', 'and', 'another', 'any', 'are', 'around', 'as', 'at', 'be', 'because', 'been', 'before', 'being', 'below', 'between',
  'both', 'but', 'by', 'can', 'cannot', 'could', 'did', 'do', 'does', 'doing', 'done', 'down', 'due', 'during', 'each', 'either',
  'else', 'enough', 'especially', 'etc', 'even', 'ever', 'every', 'few', 'for', 'from', 'further', 'had', 'has', 'have', 'having',
  'he', 'her', 'here', 'hers', 'him', 'his', 'how', 'however', 'i', 'if', 'in', 'into', 'is', 'it', 'its', 'itself', 'just',
  'less', 'like', 'many', 'may', 'me', 'might', 'more', 'most', 'much', 'must', 'my', 'namely', 'neither', 'no', 'nor', 'not',
  'now', 'of', 'off', 'often', 'on', 'once', 'one', 'only', 'onto', 'or', 'other', 'others', 'otherwise', 'our', 'ours',
  'ourselves', 'out', 'over', 'own', 'per', 'rather', 'same', 'she', 'should', 'since', 'so', 'some', 'still', 'such', 'than',
  'that', 'the', 'their', 'theirs', 'them', 'themselves', 'then', 'there', 'thereby', 'therefore', 'these', 'they', 'this',
  'those', 'though', 'through', 'throughout', 'thus', 'to', 'too', 'toward', 'towards', 'under', 'until', 'up', 'upon', 'us',
  'very', 'via', 'was', 'we', 'well', 'were', 'what', 'whatever', 'when', 'where', 'whereas', 'whether', 'which', 'while',
  'who', 'whom', 'whose', 'why', 'will', 'with', 'within', 'without', 'would', 'yet', 'you', 'your', 'e.g', 'i.e', 'eg', 'ie',
  'vs', 'de', 'et', 'al',
  // Words that order an argument ("secondly, ..."): they were named as terms similar papers share.
  'firstly', 'secondly', 'thirdly', 'lastly', 'finally', 'additionally',
];

/** Words of scholarly prose that separate terms without being any: verbs, hedges, evaluatives. */
const ACADEMIC_STOP = [
  'able', 'achieve', 'achieved', 'achieves', 'achieving', 'address', 'addresses', 'addressing', 'allow', 'allows', 'approach',
  'approaches', 'based', 'better', 'challenge', 'challenges', 'challenging', 'compared', 'comparison', 'competitive',
  'comprehensive', 'consider', 'considered', 'demonstrate', 'demonstrated', 'demonstrates', 'demonstrating', 'describe',
  'describes', 'design', 'designed', 'develop', 'developed', 'different', 'difficult', 'effective', 'effectively', 'efficient',
  'efficiently', 'enable', 'enables', 'enabling', 'existing', 'experiment', 'experimental', 'experiments', 'explore', 'explores',
  'extensive', 'first', 'findings', 'focus', 'focuses', 'furthermore', 'given', 'good', 'great', 'help', 'helps', 'high', 'higher',
  'highly', 'improve', 'improved', 'improvement', 'improvements', 'improves', 'improving', 'including', 'increasing',
  'introduce', 'introduced', 'introduces', 'investigate', 'investigates', 'key', 'large-scale', 'lead', 'leads', 'leverage',
  'leverages', 'leveraging', 'low', 'lower', 'main', 'make', 'makes', 'making', 'method', 'methods', 'moreover', 'new', 'novel',
  'numerous', 'obtain', 'obtained', 'outperform', 'outperforming', 'outperforms', 'paper', 'particular', 'particularly',
  'perform', 'performance', 'performs', 'present', 'presented', 'presents', 'previous', 'prior', 'problem', 'problems',
  'promising', 'propose', 'proposed', 'proposes', 'provide', 'provided', 'provides', 'providing', 'recent', 'recently',
  'remain', 'remains', 'require', 'requires', 'result', 'results', 'reveal', 'reveals', 'second', 'several', 'show', 'showed',
  'shown', 'shows', 'significant', 'significantly', 'simple', 'specific', 'state-of-the-art', 'strong', 'study', 'studies',
  'substantial', 'substantially', 'successfully', 'suggest', 'suggests', 'superior', 'task', 'tasks', 'three', 'two', 'use',
  'used', 'uses', 'using', 'various', 'way', 'ways', 'wide', 'widely', 'work', 'works', 'yield', 'yields', 'code', 'available',
  'publicly', 'github', 'com', 'https', 'http', 'www',
];

/** The commonest function words of a few other languages arXiv abstracts come in. */
const OTHER_STOP = [
  // French
  'le', 'la', 'les', 'un', 'une', 'des', 'du', 'et', 'ou', 'en', 'dans', 'pour', 'par', 'sur', 'avec', 'est', 'sont', 'que',
  'qui', 'nous', 'ce', 'cette', 'ces', 'au', 'aux', 'son', 'sa', 'ses', 'leur', 'leurs', 'pas', 'plus', 'se', 'il', 'elle',
  // German
  'der', 'die', 'das', 'den', 'dem', 'des', 'ein', 'eine', 'einer', 'eines', 'und', 'oder', 'ist', 'sind', 'wir', 'mit', 'von',
  'zu', 'für', 'auf', 'im', 'bei', 'aus', 'wird', 'werden', 'nicht', 'auch', 'als', 'wie', 'dass',
  // Spanish, Portuguese, Italian
  'el', 'los', 'las', 'una', 'uno', 'y', 'o', 'del', 'al', 'con', 'para', 'por', 'es', 'son', 'se', 'su', 'sus', 'este',
  'esta', 'como', 'o', 'os', 'as', 'um', 'uma', 'do', 'da', 'dos', 'das', 'em', 'na', 'no', 'nos', 'nas', 'é', 'são', 'il',
  'lo', 'gli', 'di', 'e', 'che', 'per', 'della', 'delle', 'dei', 'nel', 'nella', 'sono', 'questo', 'questa',
];

const STOP: ReadonlySet<string> = new Set([...ENGLISH_STOP, ...ACADEMIC_STOP, ...OTHER_STOP]);
/** Each also without its accents (`für` and `fur`): discovery compares words folded that way. */
const FUNCTION_WORDS: ReadonlySet<string> = new Set(
  [...ENGLISH_STOP, ...OTHER_STOP].flatMap((w) => [w, w.normalize('NFKD').replace(/\p{M}/gu, '')]),
);

/**
 * True for a function word ("than", "which", "les", "für" or "fur"): English and the commonest of
 * a few other languages, given lower-case, with or without accents. Discovery leaves them out of
 * the terms papers are said to share.
 */
export function isFunctionWord(word: string): boolean {
  return FUNCTION_WORDS.has(word);
}

/** A word, with hyphens and apostrophes inside it ("state-of-the-art", "GPT-4o", "Schrödinger's"). */
const WORD_RE = /[\p{L}\p{N}][\p{L}\p{N}\p{M}]*(?:['’\-][\p{L}\p{N}][\p{L}\p{N}\p{M}]*)*/gu;
/** What ends a phrase besides stop words: sentence and clause punctuation, brackets, quotes. */
const BREAK_RE = /[.,;:!?()[\]{}"“”«»|/\\<>=+*&#@~^`$%…–—。，、；：！？（）「」『』]/u;
const HAS_LETTER_RE = /\p{L}/u;
/** Scripts written without spaces: a long run of them is a clause, not a word. */
const UNSPACED_RE = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]/u;
const MAX_UNSPACED_CHARS = 8;

/** Takes out what is not prose: TeX math, TeX command names, URLs. Each leaves a phrase break. */
function clean(text: string): string {
  return text
    .replace(/\$[^$]*\$/g, ' . ')
    .replace(/https?:\/\/\S+/g, ' . ')
    .replace(/\\[a-zA-Z]+\*?/g, ' . ') // the command goes, its argument ("\\emph{mixture models}") stays
    .replace(/\s+/g, ' ');
}

/** One word of a text, where it is, and its key. */
interface Word {
  surface: string;
  key: string;
  start: number;
  end: number;
  /** A stop word, number or non-word: the phrase ends here. */
  stop: boolean;
  /** Punctuation lies between this word and the one before it. */
  breakBefore: boolean;
}

/**
 * The key of a word: lower case, an English plural folded to its singular ("models" -> "model",
 * "studies" -> "study", "LLMs" -> "llm"); words that only look plural ("analysis", "focus") are kept.
 */
export function wordKey(word: string): string {
  const w = word.toLowerCase().replace(/’/g, "'");
  if (w.length <= 3 || !/^[a-z][a-z0-9'-]*$/.test(w)) return w.replace(/'s$/, '');
  if (w.endsWith("'s")) return w.slice(0, -2);
  if (w.endsWith('ies') && w.length > 4) return `${w.slice(0, -3)}y`;
  if (/(ss|us|is|ous|ics|sis|xes)$/.test(w)) return w;
  if (w.endsWith('s')) return w.slice(0, -1);
  return w;
}

/** What is known of a surface word, cached: a corpus repeats far fewer words than it has. */
const wordCache = new Map<string, { key: string; stop: boolean }>();
const WORD_CACHE_MAX = 200_000;

function wordInfo(surface: string): { key: string; stop: boolean } {
  let info = wordCache.get(surface);
  if (!info) {
    const lower = surface.toLowerCase();
    const stop = STOP.has(lower) || surface.length < 2 || surface.length > MAX_WORD_CHARS || !HAS_LETTER_RE.test(surface)
      || /n['’]t$/.test(lower) || /^(it|that|there|what|let)['’]s$/.test(lower)
      || (surface.length > MAX_UNSPACED_CHARS && UNSPACED_RE.test(surface));
    // Hyphens join the parts of one term; "named-entity" and "named entity" are one key.
    info = { key: surface.split('-').map(wordKey).join(' '), stop };
    if (wordCache.size >= WORD_CACHE_MAX) wordCache.clear();
    wordCache.set(surface, info);
  }
  return info;
}

function words(text: string): Word[] {
  const out: Word[] = [];
  let last = 0;
  for (const m of text.matchAll(WORD_RE)) {
    const surface = m[0];
    const start = m.index!;
    const breakBefore = start - last > 1 || (start > last && text[last] !== ' ') ? BREAK_RE.test(text.slice(last, start)) : false;
    last = start + surface.length;
    const { key, stop } = wordInfo(surface);
    out.push({ surface, key, start, end: last, stop, breakBefore });
  }
  return out;
}

/** A candidate occurrence: which words, as a key and as written. */
export interface Occurrence { key: string; surface: string; n: number }

/**
 * Calls `emit` for every candidate in a text: each run of 1..MAX_PHRASE_WORDS non-stop words within
 * a phrase, as its key and, with `surfaces`, as written (else the empty string: counting needs keys only).
 */
function eachCandidate(text: string, surfaces: boolean, emit: (key: string, surface: string, n: number) => void): void {
  let run: Word[] = [];
  const flush = () => {
    for (let i = 0; i < run.length; i++) {
      // Each longer candidate extends the one before it by a word.
      let key = '';
      let surface = '';
      for (let n = 1; n <= MAX_PHRASE_WORDS && i + n <= run.length; n++) {
        const w = run[i + n - 1]!;
        key = n === 1 ? w.key : `${key} ${w.key}`;
        if (surfaces) surface = n === 1 ? w.surface : `${surface} ${w.surface}`;
        emit(key, surface, n);
      }
    }
    run = [];
  };
  for (const w of words(clean(text))) {
    if (w.breakBefore) flush();
    if (w.stop) flush();
    else run.push(w);
  }
  flush();
}

/** Every candidate occurrence in a text. */
function candidates(text: string): Occurrence[] {
  const out: Occurrence[] = [];
  eachCandidate(text, true, (key, surface, n) => out.push({ key, surface, n }));
  return out;
}

/**
 * Corpus statistics: in how many papers each candidate key occurs, for the keys in two or more.
 * A key absent counts as in one paper: the paper being scored counts itself whether or not the
 * corpus held it, so a key found in a single paper scores the same either way. Most keys are such
 * (84% of the demo corpus's 438,000), so leaving them out keeps a cached model a sixth the size.
 */
export interface KeywordModel {
  docs: number;
  df: ReadonlyMap<string, number>;
}

export interface KeywordText {
  title: string;
  abstract: string;
}

/** A paper cut into candidates once, for both the corpus statistics and its own keywords. */
export interface AnalyzedText {
  title: Occurrence[];
  abstract: Occurrence[];
}

export function analyzeText(doc: KeywordText): AnalyzedText {
  return { title: candidates(doc.title), abstract: candidates(doc.abstract) };
}

/** The distinct candidate keys of one paper (what the corpus statistics count). */
export function candidateKeys(doc: KeywordText | AnalyzedText): Set<string> {
  const keys = new Set<string>();
  if (isAnalyzed(doc)) {
    for (const o of doc.title) keys.add(o.key);
    for (const o of doc.abstract) keys.add(o.key);
  } else {
    const add = (key: string) => { keys.add(key); };
    eachCandidate(doc.title, false, add);
    eachCandidate(doc.abstract, false, add);
  }
  return keys;
}

const isAnalyzed = (d: KeywordText | AnalyzedText): d is AnalyzedText => Array.isArray((d as AnalyzedText).title);

/** Counts document frequencies over a corpus. */
export function buildKeywordModel(docs: Iterable<KeywordText | AnalyzedText>): KeywordModel {
  const counter = keywordModelCounter();
  for (const d of docs) counter.add(d);
  return counter.model();
}

/** buildKeywordModel a document at a time, for a caller that lets other work run in between. */
export function keywordModelCounter(): { add(doc: KeywordText | AnalyzedText): void; model(): KeywordModel } {
  const df = new Map<string, number>();
  let n = 0;
  return {
    add(d) {
      n++;
      for (const k of candidateKeys(d)) df.set(k, (df.get(k) ?? 0) + 1);
    },
    model() {
      for (const [k, count] of df) if (count === 1) df.delete(k);
      return { docs: n, df };
    },
  };
}

/** An empty corpus: keywords then come from counts in the paper alone. */
export const EMPTY_MODEL: KeywordModel = { docs: 0, df: new Map() };

/** How to show a candidate: sentence-initial and title capitals dropped, acronyms and names kept. */
function display(surface: string): string {
  return surface.split(/([ -])/).map((w) => (/^\p{Lu}[\p{Ll}\p{M}'’]*$/u.test(w) ? w.toLowerCase() : w)).join('');
}

/** A key as `overlaps` compares it: padded with spaces (whole-word containment) and as its words. */
interface KeyShape { padded: string; words: ReadonlySet<string> }
const shapeOf = (key: string): KeyShape => ({ padded: ` ${key} `, words: new Set(key.split(' ')) });

/** One contains the other, or they share two words ("nested named entity", "named entity recognition"). */
function overlaps(a: KeyShape, b: KeyShape): boolean {
  if (a.padded.includes(b.padded) || b.padded.includes(a.padded)) return true;
  let shared = 0;
  for (const w of b.words) if (a.words.has(w) && ++shared >= 2) return true;
  return false;
}

export interface ScoredKeyword {
  keyword: string;
  key: string;
  score: number;
  /** Order of first appearance (title first): breaks ties in score. */
  first: number;
}

/** The keywords of a paper with their scores, best first. */
export function scoreKeywords(doc: KeywordText | AnalyzedText, model: KeywordModel = EMPTY_MODEL, max = MAX_KEYWORDS): ScoredKeyword[] {
  // `forms` counts the ways a candidate is written, once a second way turns up; until then `form` and `formCount` do.
  interface Stat { tf: number; inTitle: boolean; n: number; form: string; formCount: number; forms: Map<string, number> | null; first: number }
  const stats = new Map<string, Stat>();
  let order = 0;
  const add = (occ: Occurrence[], weight: number, title: boolean) => {
    for (const o of occ) {
      let s = stats.get(o.key);
      if (!s) { s = { tf: 0, inTitle: false, n: o.n, form: o.surface, formCount: 0, forms: null, first: order++ }; stats.set(o.key, s); }
      s.tf += weight;
      s.inTitle ||= title;
      // Forms in the abstract count more: its capitals mean something, a title's usually do not.
      const count = title ? 1 : 2;
      if (!s.forms && o.surface === s.form) s.formCount += count;
      else {
        s.forms ??= new Map([[s.form, s.formCount]]);
        s.forms.set(o.surface, (s.forms.get(o.surface) ?? 0) + count);
      }
    }
  };
  /** The way the candidate is written most often (a form in the abstract counts twice; the first of equals wins). */
  const bestForm = (s: Stat): string => {
    if (!s.forms) return s.form;
    let best = '';
    let bestCount = -1;
    for (const [form, count] of s.forms) if (count > bestCount) { best = form; bestCount = count; }
    return best;
  };
  const a = isAnalyzed(doc) ? doc : analyzeText(doc);
  add(a.title, TITLE_WEIGHT, true);
  add(a.abstract, 1, false);

  const N = model.docs;
  const scored: { key: string; score: number; first: number; stat: Stat }[] = [];
  for (const [key, s] of stats) {
    // The paper itself counts once, whether or not the model saw it.
    const df = Math.max(1, model.df.get(key) ?? 0);
    if (N >= MIN_DOCS_FOR_SHARE && df / N > MAX_DOC_SHARE) continue;
    const occurrences = s.inTitle ? s.tf - TITLE_WEIGHT + 1 : s.tf;
    if (s.n > 1 && !s.inTitle && occurrences < 2 && df < 2) continue;
    if (s.n === 1 && key.length < 3) continue;
    const idf = Math.log((N + 1) / df) + 1;
    const score = s.tf * idf * (1 + PHRASE_BONUS * (s.n - 1));
    scored.push({ key, score: Math.round(score * 1e6) / 1e6, first: s.first, stat: s });
  }
  scored.sort((a, b) => b.score - a.score || a.first - b.first);

  const chosen: ScoredKeyword[] = [];
  const shapes: KeyShape[] = [];
  for (const c of scored) {
    if (chosen.length >= max) break;
    const shape = shapeOf(c.key);
    if (shapes.some((k) => overlaps(k, shape))) continue;
    shapes.push(shape);
    chosen.push({ keyword: display(bestForm(c.stat)), key: c.key, score: c.score, first: c.first });
  }
  return chosen;
}

/** The keywords of a paper, best first. */
export function extractKeywords(doc: KeywordText | AnalyzedText, model: KeywordModel = EMPTY_MODEL, max = MAX_KEYWORDS): string[] {
  return scoreKeywords(doc, model, max).map((k) => k.keyword);
}

/** A piece of text, marked when it is an occurrence of a keyword. */
export interface KeywordSegment {
  text: string;
  keyword: string | null;
}

/**
 * Splits `text` into plain and keyword segments, for highlighting: every run of words whose keys
 * spell a keyword's key is marked (longest keyword first), whatever its case or number.
 */
export function markKeywords(text: string, keywords: readonly string[]): KeywordSegment[] {
  const keys = new Map<string, string>();
  for (const k of keywords) {
    const key = k.split(/\s+/).filter(Boolean).map((w) => wordInfo(w).key).join(' ');
    if (key) keys.set(key, k);
  }
  if (keys.size === 0 || text === '') return [{ text, keyword: null }];
  const maxWords = Math.max(...[...keys.keys()].map((k) => k.split(' ').length));
  // A run of text words spells a key when their keys, joined, equal it ("retrieval-augmented" is two key words).
  const ws = words(text);
  const out: KeywordSegment[] = [];
  let pos = 0;
  for (let i = 0; i < ws.length;) {
    let hit = 0;
    let keyword = '';
    for (let n = Math.min(maxWords, ws.length - i); n >= 1 && !hit; n--) {
      const part = ws.slice(i, i + n);
      if (part.slice(1).some((w) => w.breakBefore)) continue;
      const k = keys.get(part.map((w) => w.key).join(' '));
      if (k !== undefined) { hit = n; keyword = k; }
    }
    if (!hit) { i++; continue; }
    const start = ws[i]!.start;
    const end = ws[i + hit - 1]!.end;
    if (start > pos) out.push({ text: text.slice(pos, start), keyword: null });
    out.push({ text: text.slice(start, end), keyword });
    pos = end;
    i += hit;
  }
  if (pos < text.length) out.push({ text: text.slice(pos), keyword: null });
  return out;
}
