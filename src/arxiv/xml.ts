/**
 * The XML layer shared by the Atom, OAI-PMH and RSS parsers: one well-formedness check, one
 * fast-xml-parser configuration, and small accessors over its output (which is `unknown` until
 * a format module reads it).
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { ArxivParseError, type ArxivSource, type ParseFailureKind } from './errors.ts';

/**
 * Elements that may repeat, always read as arrays (one occurrence included), so a feed with a
 * single entry or an author list of one has the same shape as any other.
 */
const ARRAY_ELEMENTS = new Set([
  'entry', // Atom
  'author',
  'link',
  'category',
  'record', // OAI-PMH
  'version',
  'setSpec',
  'error',
  'item', // RSS
  'creator',
]);

const SNIPPET_CHARS = 80; // enough of an unexpected body to recognise it in a log line
const TAIL_CHARS = 512; // how far from the end a closing root tag is looked for

/** fast-xml-parser output is untyped; format modules narrow it with the accessors below. */
export type XmlNode = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  // arXiv declares its prefixes in varying places (on <feed> in 2026, on each element in 2016);
  // local names are what identify fields, and none collide within the elements we read.
  removeNSPrefix: true,
  // Values stay strings: a title "0" must not become the number 0.
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // Decodes numeric character references (&#233;) besides the five XML entities.
  htmlEntities: true,
  isArray: (name, _path, _leaf, isAttribute) => !isAttribute && ARRAY_ELEMENTS.has(name),
});

/**
 * Checks that `xml` is a well-formed document whose root element is `root`, and returns that
 * element. Anything else is an {@link ArxivParseError} saying what the body was instead.
 */
export function parseXmlDocument(xml: string, source: ArxivSource, root: string, context?: string): XmlNode {
  const fail = (kind: ParseFailureKind, detail: string, line: number | null = null, col: number | null = null) =>
    new ArxivParseError(source, kind, detail, line, col, context ?? null);
  if (typeof xml !== 'string' || xml.trim() === '') {
    throw fail('empty', 'empty body');
  }
  const body = xml.charCodeAt(0) === 0xfeff ? xml.slice(1) : xml;
  const head = body.trimStart();
  if (/^<!doctype\s+html|^<html[\s>]/i.test(head)) {
    throw fail('html', `HTML page instead of XML: ${htmlTitle(body) ?? snippet(body)}`);
  }
  if (!head.startsWith('<')) {
    throw fail('not-xml', `body is not XML: ${snippet(body)}`);
  }
  // arXiv never declares entities; refusing them closes the door on entity-expansion attacks.
  const rootStart = body.search(/<[A-Za-z_]/);
  if (/<!ENTITY/i.test(rootStart < 0 ? body : body.slice(0, rootStart))) {
    throw fail('malformed', 'entity declarations are not accepted');
  }
  const valid = XMLValidator.validate(body);
  if (valid !== true) {
    const closesRoot = new RegExp(`</(?:[\\w.-]+:)?${escapeRegExp(root)}\\s*>\\s*$`).test(body.slice(-TAIL_CHARS));
    const rootName = firstElementName(body);
    if (!closesRoot && rootName === root) {
      throw fail('truncated',
        `document ends before </${root}> (${body.length} chars, ends with ${JSON.stringify(body.slice(-40))})`,
      );
    }
    if (rootName?.toLowerCase() === 'html') {
      throw fail('html', `HTML page instead of XML: ${htmlTitle(body) ?? snippet(body)}`);
    }
    throw fail('malformed', valid.err.msg, valid.err.line ?? null, valid.err.col ?? null);
  }
  let doc: unknown;
  try {
    doc = parser.parse(body);
  } catch (e) {
    throw fail('malformed', e instanceof Error ? e.message : String(e));
  }
  const top = isNode(doc) ? doc[root] : undefined;
  if (!isNode(top)) {
    const found = isNode(doc) ? Object.keys(doc).filter((k) => !k.startsWith('#')).join(', ') : '';
    if (found.toLowerCase() === 'html') {
      throw fail('html', `HTML page instead of XML: ${htmlTitle(body) ?? snippet(body)}`);
    }
    throw fail('unexpected-root', `expected <${root}>, found <${found || 'nothing'}>`);
  }
  return top;
}

/** True for an element object (not text, not an array). */
export function isNode(v: unknown): v is XmlNode {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The first child element `name`, or undefined. */
export function child(node: unknown, name: string): unknown {
  if (!isNode(node)) return undefined;
  const v = node[name];
  return Array.isArray(v) ? v[0] : v;
}

/** All child elements `name` (an empty array when there are none). */
export function children(node: unknown, name: string): unknown[] {
  if (!isNode(node)) return [];
  const v = node[name];
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

/** An attribute of an element, or undefined. */
export function attr(node: unknown, name: string): string | undefined {
  if (!isNode(node)) return undefined;
  const v = node[`@_${name}`];
  return typeof v === 'string' ? v : undefined;
}

/** Thrown by {@link text} when an element holds markup where text was expected. */
export class NotTextError extends Error {}

/**
 * The text of an element: undefined when absent, '' when empty. Throws {@link NotTextError}
 * when the element contains child elements, so a record with markup in a text field is
 * reported instead of silently losing words.
 */
export function text(v: unknown, field: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return text(v[0], field);
  if (isNode(v)) {
    const elements = Object.keys(v).filter((k) => k !== '#text' && !k.startsWith('@_'));
    if (elements.length > 0) {
      throw new NotTextError(`${field} contains markup (<${elements.slice(0, 3).join('>, <')}>)`);
    }
    const t = v['#text'];
    return typeof t === 'string' ? t : '';
  }
  return String(v);
}

/** Shorthand: the text of the first child element `name`. */
export function childText(node: unknown, name: string): string | undefined {
  return text(child(node, name), name);
}

/** Like {@link childText}, but undefined instead of an error when the element holds markup. */
export function looseChildText(node: unknown, name: string): string | undefined {
  try {
    return childText(node, name);
  } catch (e) {
    if (e instanceof NotTextError) return undefined;
    throw e;
  }
}

function firstElementName(xml: string): string | null {
  const re = /<([A-Za-z_][\w.:-]*)/g;
  for (let m = re.exec(xml); m; m = re.exec(xml)) {
    const name = m[1]!;
    return name.includes(':') ? name.slice(name.indexOf(':') + 1) : name;
  }
  return null;
}

function htmlTitle(html: string): string | null {
  const m = /<title[^>]*>([\s\S]{0,500}?)<\/title>/i.exec(html);
  return m ? JSON.stringify(m[1]!.replace(/\s+/g, ' ').trim()) : null;
}

function snippet(s: string): string {
  const flat = s.replace(/\s+/g, ' ').trim();
  return JSON.stringify(flat.length > SNIPPET_CHARS ? `${flat.slice(0, SNIPPET_CHARS)}...` : flat);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
}
