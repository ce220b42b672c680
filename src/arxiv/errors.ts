/**
 * Typed failures of the arXiv layer. Each message says where (`arxiv/atom`, `arxiv/oai`,
 * `arxiv/rss`, `arxiv/client`) and what, so a log line alone explains the failure.
 */

/** Which arXiv interface a document came from. */
export type ArxivSource = 'atom' | 'oai' | 'rss';

/** Base class: `catch (e) { if (e instanceof ArxivError) ... }` catches every failure below. */
export class ArxivError extends Error {
  override name = 'ArxivError';
}

/**
 * Why a whole document could not be read:
 * - `empty`: no body at all;
 * - `html`: an HTML page (a proxy or maintenance page) instead of XML;
 * - `not-xml`: text that is not markup;
 * - `truncated`: well-formed up to a point, then cut off (the root element is never closed);
 * - `malformed`: not well-formed XML;
 * - `unexpected-root`: well-formed XML of another kind (e.g. an RSS feed where Atom was expected).
 */
export type ParseFailureKind = 'empty' | 'html' | 'not-xml' | 'truncated' | 'malformed' | 'unexpected-root';

/** A document that could not be parsed at all. Single records that fail are reported, not thrown. */
export class ArxivParseError extends ArxivError {
  override name = 'ArxivParseError';
  constructor(
    readonly source: ArxivSource,
    readonly kind: ParseFailureKind,
    detail: string,
    /** 1-based position of the first well-formedness error, when the validator gave one. */
    readonly line: number | null = null,
    readonly col: number | null = null,
    /** Where it happened, e.g. `page 3`. */
    readonly context: string | null = null,
  ) {
    const at = line !== null ? ` (line ${line}${col !== null ? `, col ${col}` : ''})` : '';
    super(`arxiv/${source}: ${context ? `${context}: ` : ''}${kind}: ${detail}${at}`);
  }
}

/** The arXiv query API answered with its error entry (`http(s)://arxiv.org/api/errors#...`). */
export class ArxivApiError extends ArxivError {
  override name = 'ArxivApiError';
  constructor(
    /** The message arXiv gave, e.g. `incorrect id format for abc`. */
    readonly apiMessage: string,
    /** The error entry's id, e.g. `https://arxiv.org/api/errors#incorrect_id_format_for_abc`. */
    readonly errorId: string | null,
    /** HTTP status of the response, when it came over the network. */
    readonly status: number | null = null,
  ) {
    super(`arxiv/atom: api error${status !== null ? ` (HTTP ${status})` : ''}: ${apiMessage}`);
  }
}

/**
 * OAI-PMH error codes (OAI-PMH 2.0, section 3.6). `noRecordsMatch` never surfaces as an error:
 * the parsers turn it into an empty result.
 */
export type OaiErrorCode =
  | 'badArgument'
  | 'badResumptionToken'
  | 'badVerb'
  | 'cannotDisseminateFormat'
  | 'idDoesNotExist'
  | 'noMetadataFormats'
  | 'noSetHierarchy'
  | (string & {});

/** An OAI-PMH `<error code="...">` envelope, e.g. `arxiv/oai: page 3: badResumptionToken: ...`. */
export class OaiError extends ArxivError {
  override name = 'OaiError';
  constructor(
    readonly code: OaiErrorCode,
    readonly oaiMessage: string,
    /** Where it happened: the verb, or the harvest page and its token. */
    readonly context: string | null = null,
    options?: { cause?: unknown },
  ) {
    super(`arxiv/oai: ${context ? `${context}: ` : ''}${code}: ${oaiMessage}`, options);
  }
}

/** rss.arxiv.org answered with its error channel (`Feed error for query: ...`). */
export class RssFeedError extends ArxivError {
  override name = 'RssFeedError';
  constructor(
    /** The message arXiv gave, e.g. `Bad archive 'astroph'. Valid archive names are: ...`. */
    readonly feedMessage: string,
    /** The feed URL the error channel names. */
    readonly feedUrl: string | null,
  ) {
    super(`arxiv/rss: feed error${feedUrl ? ` for ${feedUrl}` : ''}: ${feedMessage}`);
  }
}

/**
 * A request that failed at the HTTP level after all retries: a status arXiv does not recover
 * from, a Retry-After longer than the client will wait, or connection failures on every attempt.
 */
export class ArxivHttpError extends ArxivError {
  override name = 'ArxivHttpError';
  constructor(
    readonly url: string,
    /** HTTP status of the last attempt; null when no response arrived (connection error, timeout). */
    readonly status: number | null,
    readonly attempts: number,
    detail: string,
    /** How long arXiv asked us to wait (Retry-After), when it said so. */
    readonly retryAfterMs: number | null = null,
    options?: { cause?: unknown },
  ) {
    super(`arxiv/client: GET ${url} failed after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${detail}`, options);
  }
}

/** One record that was skipped, and why. `entry` names it: its id when known, else `#<position>`. */
export interface ParseIssue {
  reason: string;
  entry?: string;
}
