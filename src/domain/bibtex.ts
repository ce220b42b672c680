/**
 * BibTeX for a paper, as arXiv's own export writes it (@misc with eprint fields).
 */

export interface BibtexInput {
  id: string;
  title: string;
  authors: string[];
  publishedAt: string | null;
  primaryCategory: string | null;
  doi?: string | null;
}

/** Braces and backslashes would break the entry; everything else passes through as UTF-8. */
function escapeBibtex(s: string): string {
  return s.replace(/\\/g, '\\textbackslash{}').replace(/([{}])/g, '\\$1').replace(/([&%$#_])/g, '\\$1');
}

function citationKey(input: BibtexInput, year: string): string {
  const last = (input.authors[0] ?? 'anon').split(/\s+/).pop() ?? 'anon';
  const word = input.title.split(/\s+/).find((w) => /^[A-Za-z]{4,}/.test(w)) ?? 'paper';
  const ascii = (s: string) => s.normalize('NFKD').replace(/[^A-Za-z0-9]/g, '').toLowerCase();
  return `${ascii(last) || 'anon'}${year}${ascii(word)}`;
}

/**
 * @example
 * toBibtex({ id: '2407.13168', title: 'A', authors: ['Ada Lovelace'], publishedAt: '2024-07-18T00:00:00Z', primaryCategory: 'cs.CL' })
 */
export function toBibtex(input: BibtexInput): string {
  const year = input.publishedAt?.slice(0, 4) ?? '';
  const fields: [string, string][] = [
    ['title', `{${escapeBibtex(input.title)}}`],
    ['author', `{${input.authors.map(escapeBibtex).join(' and ')}}`],
    ['year', `{${year}}`],
    ['eprint', `{${input.id}}`],
    ['archivePrefix', '{arXiv}'],
  ];
  if (input.primaryCategory) fields.push(['primaryClass', `{${input.primaryCategory}}`]);
  if (input.doi) fields.push(['doi', `{${escapeBibtex(input.doi)}}`]);
  fields.push(['url', `{https://arxiv.org/abs/${input.id}}`]);
  const key = citationKey(input, year);
  return `@misc{${key},\n${fields.map(([k, v]) => `  ${k}=${v}`).join(',\n')}\n}`;
}
