/**
 * arXiv's OAI-PMH 2.0 interface (oaipmh.arxiv.org/oai): ListRecords and GetRecord responses in
 * the `arXivRaw` format (full version history with dates and sizes; categories space
 * separated, primary first) and the `arXiv` format (authors split into parts, created/updated
 * dates only).
 *
 * Two layers: {@link readOaiResponse} reads the envelope and metadata as strings;
 * {@link adaptArxivRaw} and {@link adaptArxivFormat} map one record to a {@link PaperRecord}.
 * {@link parseOaiResponse} runs both.
 *
 * @example
 * const page = parseOaiResponse(xml);
 * for (const r of page.records) await upsertPaper(r);
 * if (page.resumptionToken?.value) saveCheckpoint(page.resumptionToken.value);
 */
import type { PaperRecord, PaperVersion } from '../domain/paper.ts';
import { ArxivParseError, OaiError, type ParseIssue } from './errors.ts';
import {
  RecordRejected,
  checkRequired,
  checkSizes,
  clip,
  cleanAuthorName,
  detexText,
  collapseWhitespace,
  firstDoi,
  isWithdrawn,
  optionalText,
  orderCategories,
  requireArxivId,
  requireTimestamp,
  splitAuthors,
} from './normalize.ts';
import {
  NotTextError,
  attr,
  child,
  childText,
  children,
  isNode,
  looseChildText,
  parseXmlDocument,
  text,
} from './xml.ts';

/** Metadata formats the adapters understand. */
export type OaiMetadataPrefix = 'arXivRaw' | 'arXiv';

/** The `<resumptionToken>` of a list page. `value` is null on the last page of a multi-page list. */
export interface OaiResumptionToken {
  value: string | null;
  completeListSize: number | null;
  cursor: number | null;
  expirationDate: string | null;
}

/** One `<version>` of an arXivRaw record, as written. */
export interface ArxivRawVersion {
  version: string | undefined;
  date: string | undefined;
  size: string | undefined;
}

/** arXivRaw metadata as written. */
export interface ArxivRawMetadata {
  format: 'arXivRaw';
  id: string | undefined;
  versions: ArxivRawVersion[];
  title: string | undefined;
  authors: string | undefined;
  categories: string | undefined;
  comments: string | undefined;
  journalRef: string | undefined;
  doi: string | undefined;
  license: string | undefined;
  abstract: string | undefined;
}

/** arXiv-format metadata as written. */
export interface ArxivFormatMetadata {
  format: 'arXiv';
  id: string | undefined;
  created: string | undefined;
  updated: string | undefined;
  authors: { keyname: string | undefined; forenames: string | undefined; suffix: string | undefined }[];
  title: string | undefined;
  categories: string | undefined;
  comments: string | undefined;
  journalRef: string | undefined;
  doi: string | undefined;
  license: string | undefined;
  abstract: string | undefined;
}

/** One `<record>`: its header and, unless deleted, its metadata. */
export interface OaiRecord {
  /** `oai:arXiv.org:0704.0471` */
  identifier: string | undefined;
  datestamp: string | undefined;
  setSpecs: string[];
  /** `<header status="deleted">`: the record is gone from the repository. */
  deleted: boolean;
  metadata: ArxivRawMetadata | ArxivFormatMetadata | null;
  /** The metadata element's name when it is neither arXivRaw nor arXiv (e.g. `dc`). */
  unsupportedFormat: string | null;
}

/** An OAI-PMH response envelope as written. */
export interface OaiResponse {
  responseDate: string | undefined;
  /** The verb echoed in `<request verb=...>`, when given. */
  verb: string | undefined;
  records: OaiRecord[];
  resumptionToken: OaiResumptionToken | null;
  /** Records that could not even be read as strings. */
  errors: ParseIssue[];
}

/** A record the repository reports as deleted. */
export interface OaiDeletedRecord {
  /** arXiv id without version, when the identifier holds one. */
  id: string | null;
  identifier: string;
  datestamp: string | null;
}

/** A ListRecords or GetRecord response mapped to records. */
export interface OaiResult {
  records: PaperRecord[];
  deleted: OaiDeletedRecord[];
  /** Records skipped, with the reason. */
  errors: ParseIssue[];
  resumptionToken: OaiResumptionToken | null;
  responseDate: string | null;
}

const OAI_ID = /^oai:arXiv\.org:(.+)$/i;

/**
 * Reads an OAI-PMH response. `noRecordsMatch` is an empty result; any other `<error>` throws
 * {@link OaiError} with its code. Throws {@link ArxivParseError} when the body is not OAI-PMH.
 * `context` prefixes error messages (e.g. `page 3`).
 */
export function readOaiResponse(xml: string, context?: string): OaiResponse {
  const root = parseXmlDocument(xml, 'oai', 'OAI-PMH', context);
  const request = child(root, 'request');
  const verb = attr(request, 'verb');
  const responseDate = looseChildText(root, 'responseDate');
  const oaiErrors = children(root, 'error').map((e) => ({
    code: attr(e, 'code') ?? 'unknown',
    message: collapseWhitespace(looseText(e) ?? ''),
  }));
  const fatal = oaiErrors.find((e) => e.code !== 'noRecordsMatch');
  if (fatal) throw new OaiError(fatal.code, fatal.message, context ?? verb ?? null);
  if (oaiErrors.length > 0) {
    return { responseDate, verb, records: [], resumptionToken: null, errors: [] };
  }

  const container = child(root, 'ListRecords') ?? child(root, 'GetRecord');
  if (container === undefined) {
    const found = Object.keys(root).filter((k) => !k.startsWith('@_') && k !== 'responseDate' && k !== 'request');
    const detail = `neither <ListRecords> nor <GetRecord> in the response (found <${found.join('>, <') || 'nothing'}>)`;
    throw new ArxivParseError('oai', 'malformed', detail, null, null, context ?? null);
  }
  const errors: ParseIssue[] = [];
  const records: OaiRecord[] = [];
  for (const [i, r] of children(container, 'record').entries()) {
    const header = child(r, 'header');
    const identifier = looseChildText(header, 'identifier');
    try {
      records.push(readRecord(r));
    } catch (err) {
      if (!(err instanceof NotTextError)) throw err;
      errors.push({ reason: err.message, entry: identifier?.trim() || `#${i + 1}` });
    }
  }
  return { responseDate, verb, records, resumptionToken: readToken(child(container, 'resumptionToken')), errors };
}

function readRecord(r: unknown): OaiRecord {
  const header = child(r, 'header');
  const base = {
    identifier: childText(header, 'identifier'),
    datestamp: childText(header, 'datestamp'),
    setSpecs: children(header, 'setSpec').map((s) => text(s, 'setSpec') ?? ''),
    deleted: attr(header, 'status') === 'deleted',
  };
  const metadata = child(r, 'metadata');
  if (base.deleted || !isNode(metadata)) return { ...base, metadata: null, unsupportedFormat: null };
  const raw = child(metadata, 'arXivRaw');
  if (raw !== undefined) return { ...base, metadata: readArxivRaw(raw), unsupportedFormat: null };
  const arx = child(metadata, 'arXiv');
  if (arx !== undefined) return { ...base, metadata: readArxivFormat(arx), unsupportedFormat: null };
  const name = Object.keys(metadata).find((k) => !k.startsWith('@_') && k !== '#text') ?? '(empty)';
  return { ...base, metadata: null, unsupportedFormat: name };
}

function readArxivRaw(m: unknown): ArxivRawMetadata {
  return {
    format: 'arXivRaw',
    id: childText(m, 'id'),
    versions: children(m, 'version').map((v) => ({
      version: attr(v, 'version'),
      date: childText(v, 'date'),
      size: childText(v, 'size'),
    })),
    title: childText(m, 'title'),
    authors: childText(m, 'authors'),
    categories: childText(m, 'categories'),
    comments: childText(m, 'comments'),
    journalRef: childText(m, 'journal-ref'),
    doi: childText(m, 'doi'),
    license: childText(m, 'license'),
    abstract: childText(m, 'abstract'),
  };
}

function readArxivFormat(m: unknown): ArxivFormatMetadata {
  return {
    format: 'arXiv',
    id: childText(m, 'id'),
    created: childText(m, 'created'),
    updated: childText(m, 'updated'),
    authors: children(child(m, 'authors'), 'author').map((a) => ({
      keyname: childText(a, 'keyname'),
      forenames: childText(a, 'forenames'),
      suffix: childText(a, 'suffix'),
    })),
    title: childText(m, 'title'),
    categories: childText(m, 'categories'),
    comments: childText(m, 'comments'),
    journalRef: childText(m, 'journal-ref'),
    doi: childText(m, 'doi'),
    license: childText(m, 'license'),
    abstract: childText(m, 'abstract'),
  };
}

function readToken(t: unknown): OaiResumptionToken | null {
  if (t === undefined) return null;
  const value = optionalText(looseText(t));
  return {
    value,
    completeListSize: optionalInt(attr(t, 'completeListSize')),
    cursor: optionalInt(attr(t, 'cursor')),
    expirationDate: attr(t, 'expirationDate') ?? null,
  };
}

/**
 * Maps arXivRaw metadata to a record: versions with dates and sizes (oldest first), first
 * category = primary, `withdrawn` when the latest version is 0kb or says it is withdrawn.
 * Throws {@link RecordRejected} with the reason to skip it.
 */
export function adaptArxivRaw(m: ArxivRawMetadata): PaperRecord {
  const { id } = requireArxivId(m.id, 'id');
  const versions: PaperVersion[] = m.versions.map((v) => {
    const n = /^v(\d{1,4})$/.exec(v.version?.trim() ?? '');
    if (!n) throw new RecordRejected(`invalid version number ${JSON.stringify(clip(v.version ?? ''))}`);
    const submittedAt = requireTimestamp(v.date, `v${n[1]}`, 'rfc822');
    return { version: Number(n[1]), submittedAt, size: optionalText(v.size) };
  });
  if (versions.length === 0) throw new RecordRejected('no versions');
  versions.sort((a, b) => a.version - b.version);
  if (new Set(versions.map((v) => v.version)).size !== versions.length) {
    throw new RecordRejected('duplicate version numbers');
  }
  const first = versions[0]!;
  const latest = versions[versions.length - 1]!;
  const abstract = detexText(collapseWhitespace(m.abstract ?? ''));
  const comment = optionalText(m.comments);
  const record: PaperRecord = {
    id,
    title: detexText(collapseWhitespace(m.title ?? '')),
    abstract,
    authors: splitAuthors(m.authors ?? ''),
    categories: orderCategories(null, (m.categories ?? '').split(/\s+/)),
    publishedAt: first.submittedAt,
    updatedAt: latest.submittedAt,
    versions,
    comment,
    journalRef: optionalText(m.journalRef),
    doi: firstDoi(m.doi),
    license: optionalText(m.license),
    withdrawn: isWithdrawn({ comment, abstract, latestSize: latest.size ?? null }),
  };
  checkRequired(record);
  checkSizes(record);
  return record;
}

/**
 * Maps arXiv-format metadata to a record. This format gives the first (`created`) and latest
 * (`updated`) dates but not the version count, so `versions` is empty.
 * Throws {@link RecordRejected} with the reason to skip it.
 */
export function adaptArxivFormat(m: ArxivFormatMetadata): PaperRecord {
  const { id } = requireArxivId(m.id, 'id');
  const publishedAt = requireTimestamp(m.created, 'created', 'iso');
  const updatedAt = requireTimestamp(m.updated, 'updated', 'iso') ?? publishedAt;
  const abstract = detexText(collapseWhitespace(m.abstract ?? ''));
  const comment = optionalText(m.comments);
  const record: PaperRecord = {
    id,
    title: detexText(collapseWhitespace(m.title ?? '')),
    abstract,
    authors: m.authors
      .map((a) => cleanAuthorName([a.forenames, a.keyname, a.suffix].filter(Boolean).join(' ')))
      .filter((a) => a !== ''),
    categories: orderCategories(null, (m.categories ?? '').split(/\s+/)),
    publishedAt,
    updatedAt,
    versions: [],
    comment,
    journalRef: optionalText(m.journalRef),
    doi: firstDoi(m.doi),
    license: optionalText(m.license),
    withdrawn: isWithdrawn({ comment, abstract }),
  };
  checkRequired(record);
  checkSizes(record);
  return record;
}

/**
 * Parses a ListRecords or GetRecord response. Deleted records are listed in `deleted`, records
 * that fail are skipped and listed in `errors`, the rest are returned. `noRecordsMatch` is an
 * empty result; other OAI errors throw {@link OaiError}; a body that is not OAI-PMH throws
 * {@link ArxivParseError}. `context` prefixes error messages (e.g. `page 3`).
 */
export function parseOaiResponse(xml: string, context?: string): OaiResult {
  const res = readOaiResponse(xml, context);
  const records: PaperRecord[] = [];
  const deleted: OaiDeletedRecord[] = [];
  const errors = [...res.errors];
  for (const [i, r] of res.records.entries()) {
    const label = r.identifier?.trim() || `#${i + 1}`;
    if (r.deleted) {
      const ident = r.identifier?.trim() ?? '';
      const idPart = OAI_ID.exec(ident)?.[1];
      deleted.push({
        id: idPart ? requireIdOrNull(idPart) : null,
        identifier: ident,
        datestamp: optionalText(r.datestamp),
      });
      continue;
    }
    try {
      if (r.unsupportedFormat !== null) {
        throw new RecordRejected(`unsupported metadata format <${r.unsupportedFormat}>`);
      }
      if (r.metadata === null) throw new RecordRejected('record has no metadata');
      const record = r.metadata.format === 'arXivRaw' ? adaptArxivRaw(r.metadata) : adaptArxivFormat(r.metadata);
      checkIdentifierMatches(r.identifier, record.id);
      records.push(record);
    } catch (err) {
      if (!(err instanceof RecordRejected)) throw err;
      errors.push({ reason: err.message, entry: label });
    }
  }
  return {
    records,
    deleted,
    errors,
    resumptionToken: res.resumptionToken,
    responseDate: res.responseDate === undefined ? null : optionalText(res.responseDate),
  };
}

function checkIdentifierMatches(identifier: string | undefined, id: string): void {
  const idPart = OAI_ID.exec(identifier?.trim() ?? '')?.[1];
  if (idPart === undefined) return;
  const headerId = requireIdOrNull(idPart);
  if (headerId !== null && headerId !== id) {
    throw new RecordRejected(`header identifier ${identifier} does not match metadata id ${id}`);
  }
}

function requireIdOrNull(raw: string): string | null {
  try {
    return requireArxivId(raw, 'identifier').id;
  } catch {
    return null;
  }
}

function optionalInt(raw: string | undefined): number | null {
  if (raw === undefined || raw.trim() === '') return null;
  const n = Number(raw.trim());
  return Number.isInteger(n) && n >= 0 ? n : null;
}

function looseText(node: unknown): string | undefined {
  try {
    return text(node, 'text');
  } catch (e) {
    if (e instanceof NotTextError) return undefined;
    throw e;
  }
}
