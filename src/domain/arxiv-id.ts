/**
 * arXiv identifiers in every form users paste them.
 *
 * New style: `YYMM.NNNN` (2007-2014) or `YYMM.NNNNN` (2015-), optional `vN`.
 * Old style: `archive(.SUBJ)?/YYMMNNN`, e.g. `hep-th/9901001`, `math.GT/0309136`, optional `vN`.
 * The subject class is not part of the identifier (arXiv lists `math.GT/0309136` as `math/0309136`),
 * so it is dropped from the id.
 *
 * @example
 * parseArxivId('https://arxiv.org/pdf/2407.13168v2.pdf') // { id: '2407.13168', version: 2 }
 * parseArxivId('arXiv:hep-th/9901001')                  // { id: 'hep-th/9901001', version: null }
 * parseArxivId('arXiv:2407.13168 [cs.CL]')              // { id: '2407.13168', version: null }
 * parseArxivId('https://huggingface.co/papers/2407.13168') // { id: '2407.13168', version: null }
 */

export interface ArxivId {
  /** The id without version: the paper's key. */
  id: string;
  version: number | null;
}

// Versions count from 1, written without leading zeros: "v0" and "v01" name no version.
const NEW_STYLE = /^(\d{2})(0[1-9]|1[0-2])\.(\d{4,5})(?:v([1-9]\d{0,3}))?$/;
const OLD_STYLE = /^([a-z][a-z-]*[a-z])(?:\.[A-Z]{2})?\/(\d{2})(0[1-9]|1[0-2])(\d{3})(?:v([1-9]\d{0,3}))?$/;
const URL_PREFIX = /^(?:https?:\/\/)?(?:(?:www|export|browse)\.)?arxiv\.org\/(?:abs|pdf|html|format)\/(.+)$/i;
/** A paper's page on Hugging Face Papers or ar5iv, which people paste as readily as arXiv's. */
const MIRROR_PREFIX = /^(?:https?:\/\/)?(?:www\.)?(?:huggingface\.co\/papers|ar5iv\.labs\.arxiv\.org\/html|ar5iv\.org\/(?:html|abs))\/(.+)$/i;
/** arXiv's DOI for a paper (from 2022 on): `10.48550/arXiv.2407.13168`, as a doi: name or a doi.org link. */
const DOI_PREFIX = /^(?:doi:\s*|(?:https?:\/\/)?(?:dx\.)?doi\.org\/)?10\.48550\/arxiv\.(.+)$/i;
const MAX_INPUT_LENGTH = 200; // longer than any arXiv URL a person pastes

/** Parses any pasted form of an arXiv id; returns null when it is not one. */
export function parseArxivId(input: string): ArxivId | null {
  if (typeof input !== 'string' || input.length > MAX_INPUT_LENGTH) return null;
  let s = input.trim();
  const url = URL_PREFIX.exec(s) ?? MIRROR_PREFIX.exec(s) ?? DOI_PREFIX.exec(s);
  if (url) {
    s = url[1]!.replace(/[?#].*$/, '').replace(/\/+$/, '').replace(/\.pdf$/i, '');
  }
  // The citation form arXiv gives: `arXiv:2407.13168 [cs.CL]`.
  s = s.replace(/^arxiv:\s*/i, '').replace(/\s*\[[a-z-]+(?:\.[A-Za-z-]+)?\]$/, '');
  const n = NEW_STYLE.exec(s);
  if (n) {
    const digits = n[3]!;
    const yymm = Number(n[1]) * 100 + Number(n[2]);
    // Five-digit numbers started in 1501; four-digit ones ended in 1412.
    if ((yymm >= 1501) !== (digits.length === 5)) return null;
    if (yymm < 704) return null; // new-style ids began in April 2007
    return { id: `${n[1]}${n[2]}.${digits}`, version: n[4] ? Number(n[4]) : null };
  }
  const o = OLD_STYLE.exec(s);
  if (o) {
    return { id: `${o[1]}/${o[2]}${o[3]}${o[4]}`, version: o[5] ? Number(o[5]) : null };
  }
  return null;
}

/** The id without version, or null. */
export function normalizeArxivId(input: string): string | null {
  return parseArxivId(input)?.id ?? null;
}

/** Links to a paper on arXiv. */
export function arxivLinks(id: string): { abs: string; pdf: string; html: string } {
  return {
    abs: `https://arxiv.org/abs/${id}`,
    pdf: `https://arxiv.org/pdf/${id}`,
    html: `https://arxiv.org/html/${id}`,
  };
}
