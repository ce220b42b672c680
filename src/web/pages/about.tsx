/**
 * What the instance is, and how trending works, in words and as a formula.
 */
import { TRENDING_FORMULA_TEXT, TRENDING_WINDOW_HOURS } from '../../domain/ranking.ts';
import type { StoreStats } from '../../store/types.ts';
import { Layout, type SiteInfo } from './layout.tsx';
import { scrollable } from './controls.tsx';

export function AboutPage({ site, stats, categories }: { site: SiteInfo; stats: StoreStats; categories: string[] }) {
  const n = (x: number) => x.toLocaleString('en-US');
  return (
    <Layout site={site} title="About" section="about">
      <h1>About {site.siteName}</h1>
      <p>
        {site.siteName} is a daily list of research papers, run by its own community on Paperboy. Papers come from
        arXiv ({categories.join(', ')}); members submit and upvote them, curators feature and pin them, and each
        day's list is ranked by the trending formula below.
      </p>
      <h2>Two lists a day</h2>
      <ul>
        <li><strong>Daily papers</strong>: papers submitted by members or featured by curators; a paper's day is the day it entered the list.</li>
        <li><strong>New on arXiv</strong>: everything arXiv announced that day in this instance's categories.</li>
      </ul>
      <h2 id="trending">How trending works</h2>
      <p>
        Each paper has a trending key that changes only when someone votes. Ten times as many votes are worth
        {' '}{TRENDING_WINDOW_HOURS} hours of recency: a paper that entered the list a day later needs a tenth of the votes to
        rank alongside an older one. Because the key never decays, lists sort on it directly and every page shows
        the same order at any moment.
      </p>
      <pre class="formula" {...scrollable('Trending formula')}><code>{TRENDING_FORMULA_TEXT}</code></pre>
      <p>
        where <em>upvotes</em> is the exact number of members who upvoted the paper and <em>entered</em> is when it
        entered the daily list (for papers never listed, when arXiv published it). "Most upvoted" sorts on the
        upvote count alone; "Newest" on when papers entered the list.
      </p>
      <p>
        Over a week or a month (and in weekly digests), trending ranks by upvotes, with the key above breaking
        ties: there a day's age would outweigh ten times the votes, and the period's trending list would be
        little more than its newest papers.
      </p>
      <h2>This instance</h2>
      <dl class="details">
        <dt>Papers</dt><dd>{n(stats.papers)}</dd>
        <dt>On daily lists</dt><dd>{n(stats.dailyEntries)}</dd>
        <dt>Votes</dt><dd>{n(stats.votes)}{stats.demoVotes > 0 ? ` (${n(stats.demoVotes)} generated demo votes)` : ''}</dd>
        {stats.firstDay ? (<><dt>Lists from</dt><dd>{stats.firstDay} to {stats.lastDay}</dd></>) : null}
      </dl>
      <h2>Data</h2>
      <p>
        Paper metadata comes from arXiv and is available under CC0. Thank you to arXiv for use of its open access
        interoperability. PDFs are not copied: links go to arXiv.
      </p>
    </Layout>
  );
}
