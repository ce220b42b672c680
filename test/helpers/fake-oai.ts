/**
 * arXiv's OAI-PMH interface for harvests whose content does not matter (only their checkpoints
 * do): every harvest has two empty pages, each answered after up to `maxDelayMs` (random), so that
 * harvests running side by side interleave differently each time.
 */
import type { ArxivClient } from '../../src/arxiv/client.ts';
import type { OaiResult } from '../../src/arxiv/oai.ts';
import { seededRandom } from '../../src/search/linalg.ts';

export function emptyOaiArxiv(random: () => number, maxDelayMs: number): ArxivClient {
  const page = async (token: string | null): Promise<OaiResult> => {
    await new Promise((r) => setTimeout(r, Math.floor(random() * (maxDelayMs + 1))));
    return { records: [], deleted: [], errors: [], responseDate: null, resumptionToken: token === null ? null : { value: token, cursor: 0, completeListSize: 0, expirationDate: null } };
  };
  const none = () => Promise.reject(new Error('not used by these harvests'));
  return {
    oaiListRecords: (q) => ('resumptionToken' in q && q.resumptionToken ? page(null) : page(`next|${Math.floor(random() * 1e9)}`)),
    apiQuery: none, oaiGetRecord: none, rss: none,
  };
}

/** A small seeded generator, so that a failing run can be replayed. */
export const seeded = seededRandom;
