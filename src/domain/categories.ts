/**
 * Which papers belong to an instance: those with a category the operator follows. A followed
 * archive without a subject (`cs`, `hep-th`) takes all of its categories.
 *
 * @example
 * inCategories(['cs.CL', 'stat.ML'], ['cs']) // true
 */
export function inCategories(paperCategories: readonly string[], followed: readonly string[]): boolean {
  if (followed.length === 0) return true;
  return paperCategories.some((c) => followed.some((f) => c === f || (!f.includes('.') && c.startsWith(`${f}.`))));
}

/**
 * arXiv's archives and their subject classes, as arxiv.org/category_taxonomy lists them, with the
 * archives that were folded into others in the 1990s (their papers still carry them). An archive
 * with no subjects is a category in itself (`hep-th`).
 */
const TAXONOMY: Record<string, readonly string[]> = {
  cs: ['AI', 'AR', 'CC', 'CE', 'CG', 'CL', 'CR', 'CV', 'CY', 'DB', 'DC', 'DL', 'DM', 'DS', 'ET', 'FL', 'GL', 'GR', 'GT', 'HC', 'IR', 'IT', 'LG', 'LO', 'MA', 'MM', 'MS', 'NA', 'NE', 'NI', 'OH', 'OS', 'PF', 'PL', 'RO', 'SC', 'SD', 'SE', 'SI', 'SY'],
  econ: ['EM', 'GN', 'TH'],
  eess: ['AS', 'IV', 'SP', 'SY'],
  math: ['AC', 'AG', 'AP', 'AT', 'CA', 'CO', 'CT', 'CV', 'DG', 'DS', 'FA', 'GM', 'GN', 'GR', 'GT', 'HO', 'IT', 'KT', 'LO', 'MG', 'MP', 'NA', 'NT', 'OA', 'OC', 'PR', 'QA', 'RA', 'RT', 'SG', 'SP', 'ST'],
  'astro-ph': ['CO', 'EP', 'GA', 'HE', 'IM', 'SR'],
  'cond-mat': ['dis-nn', 'mes-hall', 'mtrl-sci', 'other', 'quant-gas', 'soft', 'stat-mech', 'str-el', 'supr-con'],
  'gr-qc': [], 'hep-ex': [], 'hep-lat': [], 'hep-ph': [], 'hep-th': [], 'math-ph': [], 'nucl-ex': [], 'nucl-th': [], 'quant-ph': [],
  nlin: ['AO', 'CD', 'CG', 'PS', 'SI'],
  physics: ['acc-ph', 'ao-ph', 'app-ph', 'atm-clus', 'atom-ph', 'bio-ph', 'chem-ph', 'class-ph', 'comp-ph', 'data-an', 'ed-ph', 'flu-dyn', 'gen-ph', 'geo-ph', 'hist-ph', 'ins-det', 'med-ph', 'optics', 'plasm-ph', 'pop-ph', 'soc-ph', 'space-ph'],
  'q-bio': ['BM', 'CB', 'GN', 'MN', 'NC', 'OT', 'PE', 'QM', 'SC', 'TO'],
  'q-fin': ['CP', 'EC', 'GN', 'MF', 'PM', 'PR', 'RM', 'ST', 'TR'],
  stat: ['AP', 'CO', 'ME', 'ML', 'OT', 'TH'],
  // Folded into the archives above; older papers still list them.
  'acc-phys': [], 'adap-org': [], 'alg-geom': [], 'ao-sci': [], 'atom-ph': [], 'bayes-an': [], 'chao-dyn': [], 'chem-ph': [],
  'cmp-lg': [], 'comp-gas': [], 'dg-ga': [], 'funct-an': [], 'mtrl-th': [], 'patt-sol': [], 'plasm-ph': [], 'q-alg': [], 'solv-int': [], 'supr-con': [],
};

/** What a category name looks like (`cs.CL`, `hep-th`, `cond-mat.mes-hall`), before it is looked up. */
export const CATEGORY_SHAPE = /^[a-z-]+(\.[A-Za-z-]+)?$/;

const KNOWN = new Set(Object.entries(TAXONOMY).flatMap(([archive, subjects]) => [archive, ...subjects.map((s) => `${archive}.${s}`)]));

/**
 * Whether `name` is an arXiv archive (`cs`, `hep-th`) or one of its categories (`cs.CL`), as
 * arXiv spells it: `cs.cl` names nothing, and following it would harvest nothing.
 */
export function isArxivCategory(name: string): boolean {
  return KNOWN.has(name);
}

/**
 * What is wrong with `name` as a category to follow, or null when arXiv has it: a misspelt category
 * harvests nothing and says nothing, so settings and commands refuse it with this.
 */
export function categoryNameProblem(name: string): string | null {
  if (isArxivCategory(name)) return null;
  const meant = suggestCategory(name);
  return `${name} is not an arXiv category${meant ? ` (did you mean ${meant}?)` : ' (arxiv.org/category_taxonomy lists them: cs.CL, math.AG, hep-th, ...)'}`;
}

/** The category `name` was probably meant to be: the same letters in arXiv's case, if there is one. */
export function suggestCategory(name: string): string | null {
  const folded = name.toLowerCase();
  for (const known of KNOWN) if (known.toLowerCase() === folded) return known;
  return null;
}
