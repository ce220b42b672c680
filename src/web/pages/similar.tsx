/**
 * "Similar papers" on a paper's page: the nearest papers by meaning, each with why.
 */
import { describeSimilarReason, findSimilarPapers, type SimilarDeps, type SimilarReason } from '../../discovery/similar.ts';
import { listCardsByIds } from '../../store/listings.ts';
import type { PaperCard } from '../../store/types.ts';
import { paperPath } from './paper-card.tsx';

/** Papers the paper page lists. */
export const PAGE_SIMILAR = 6;
const AUTHORS_SHOWN = 3;

export interface SimilarView {
  state: 'ready' | 'building';
  items: { card: PaperCard; reason: SimilarReason }[];
}

/** The paper page's similar papers: cards and reasons (building while the index is). */
export async function similarView(deps: SimilarDeps, paperId: string, k = PAGE_SIMILAR): Promise<SimilarView> {
  const r = await findSimilarPapers(deps, paperId, k);
  const cards = new Map((await listCardsByIds(deps.store.db, r.items.map((i) => i.id))).map((c) => [c.id, c]));
  return { state: r.state, items: r.items.flatMap((i) => { const card = cards.get(i.id); return card ? [{ card, reason: i.reason }] : []; }) };
}

export function SimilarPapers({ view }: { view: SimilarView }) {
  return (
    <section class="similar" aria-labelledby="similar-h">
      <h2 id="similar-h">Similar papers</h2>
      {view.state === 'building' ? (
        <p class="muted" role="status">Similar papers appear here once the search index is ready (it is being built); reload in a minute.</p>
      ) : view.items.length === 0 ? (
        <p class="muted">No similar papers on this site yet.</p>
      ) : (
        <ol class="similar-list">
          {view.items.map(({ card, reason }) => (
            <li>
              <a href={paperPath(card.id)}>{card.title}</a>
              <span class="muted">
                {' '}{card.authors.slice(0, AUTHORS_SHOWN).join(', ')}{card.authorCount > AUTHORS_SHOWN ? ' et al.' : ''}
                {card.publishedAt ? ` · ${card.publishedAt.slice(0, 10)}` : ''} · {card.upvotes} {card.upvotes === 1 ? 'upvote' : 'upvotes'}
              </span>
              <span class="reason">Why: {describeSimilarReason(reason)}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
