/**
 * Co-authors of a name and how its papers hang together: pure functions over "who else is on
 * each paper". Names are not people; papers that share no co-author, directly or through other
 * papers, may be by different people of the same name.
 */

export interface Coauthor {
  name: string;
  /** Papers shared with the author. */
  papers: number;
}

/** Co-authors, most shared papers first, then by name. */
export function rankCoauthors(byPaper: ReadonlyMap<string, readonly string[]>): Coauthor[] {
  const counts = new Map<string, number>();
  for (const names of byPaper.values()) for (const n of new Set(names)) counts.set(n, (counts.get(n) ?? 0) + 1);
  return [...counts].map(([name, papers]) => ({ name, papers }))
    .sort((a, b) => b.papers - a.papers || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * Groups of papers linked by shared co-authors (connected components: two papers are linked when
 * some co-author is on both). Papers with no co-author are left out: they link to nothing.
 * Largest group first.
 *
 * @example
 * coauthorGroups(new Map([['p1', ['A']], ['p2', ['A', 'B']], ['p3', ['C']]])) // [['p1', 'p2'], ['p3']]
 */
export function coauthorGroups(byPaper: ReadonlyMap<string, readonly string[]>): string[][] {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    while (parent.get(r) !== r) r = parent.get(r)!;
    while (parent.get(x) !== r) { const next = parent.get(x)!; parent.set(x, r); x = next; }
    return r;
  };
  const union = (a: string, b: string) => { const ra = find(a); const rb = find(b); if (ra !== rb) parent.set(ra < rb ? rb : ra, ra < rb ? ra : rb); };
  const firstPaperOf = new Map<string, string>();
  const papers = [...byPaper.keys()].filter((p) => (byPaper.get(p) ?? []).length > 0).sort();
  for (const p of papers) parent.set(p, p);
  for (const p of papers) {
    for (const n of byPaper.get(p)!) {
      const seen = firstPaperOf.get(n);
      if (seen === undefined) firstPaperOf.set(n, p);
      else union(seen, p);
    }
  }
  const groups = new Map<string, string[]>();
  for (const p of papers) {
    const r = find(p);
    const g = groups.get(r);
    if (g) g.push(p);
    else groups.set(r, [p]);
  }
  return [...groups.values()].sort((a, b) => b.length - a.length || (a[0]! < b[0]! ? -1 : 1));
}
