/**
 * /stats: the instance in numbers, as charts drawn on the server (SVG in the page, readable
 * without scripts or styles), each with the numbers in words for screen readers.
 */
import { raw } from 'hono/html';
import { barChart, horizontalBarChart, type ChartPoint } from '../../domain/svg-chart.ts';
import { formatWindow, parseMonth } from '../../domain/dates.ts';
import type { SiteStats } from '../../services/open-data.ts';
import { Layout, type SiteInfo } from './layout.tsx';
import { scrollable } from './controls.tsx';

const n = (x: number) => x.toLocaleString('en-US');

/** The numbers behind a chart, as a table: its labels in the first column, the values in the second. */
interface Figures { what: string; unit: string; points: ChartPoint[] }

/**
 * A chart, then its numbers as a table (closed until asked for): on a phone the chart's own text is
 * drawn too small to read, and a bar's value is otherwise only in its tooltip.
 */
function Chart({ id, title, note, svg, figures }: { id: string; title: string; note: string | null; svg: string; figures: Figures }) {
  return (
    <section aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {note ? <p class="muted">{note}</p> : null}
      <figure class="chart">{raw(svg)}</figure>
      {figures.points.length ? (
        <details class="figures">
          <summary>Figures as a table</summary>
          <table class="runs">
            <caption class="sr-only">{title}</caption>
            <thead><tr><th scope="col">{figures.what}</th><th scope="col" class="num">{figures.unit}</th></tr></thead>
            <tbody>
              {figures.points.map((p) => <tr><td>{p.label}</td><td class="num">{n(p.value)}</td></tr>)}
            </tbody>
          </table>
        </details>
      ) : null}
    </section>
  );
}

export function StatsPage({ site, stats, demo }: { site: SiteInfo; stats: SiteStats; demo: boolean }) {
  const series = (s: SiteStats['papersPerDay']) => (s ? s.days.map((d) => ({ label: d.day, value: d.n })) : []);
  const span = (s: SiteStats['papersPerDay']) => (s ? `${s.from} to ${s.to}.` : 'No data yet.');
  const month = stats.topOfMonth ? parseMonth(stats.topOfMonth.month) : null;
  const categories = stats.topCategories.map((c) => ({ label: c.category, value: c.n }));
  return (
    <Layout site={site} title="Stats" description={`${site.siteName} in numbers: papers, votes and categories.`}>
      <h1>{site.siteName} in numbers</h1>
      <p>
        Drawn from this instance's data. The same numbers as JSON: <a href="/api/v1/stats">/api/v1/stats</a>.
      </p>
      <Chart id="st-papers" title="Papers announced per day" note={span(stats.papersPerDay)}
        svg={barChart({ title: 'Papers arXiv announced per day', points: series(stats.papersPerDay), unit: 'papers' })}
        figures={{ what: 'Day', unit: 'Papers', points: series(stats.papersPerDay) }} />
      <Chart id="st-listed" title="Papers on the Daily papers list per day" note={span(stats.listedPerDay)}
        svg={barChart({ title: 'Papers that entered the Daily papers list per day', points: series(stats.listedPerDay), unit: 'papers' })}
        figures={{ what: 'Day', unit: 'Papers', points: series(stats.listedPerDay) }} />
      <Chart id="st-votes" title="Upvotes per day"
        note={`${span(stats.votesPerDay)}${demo ? ' On this demo instance, most votes are generated demo data, all cast when the demo was loaded.' : ''}`}
        svg={barChart({ title: 'Upvotes cast per day', points: series(stats.votesPerDay), unit: 'votes' })}
        figures={{ what: 'Day', unit: 'Upvotes', points: series(stats.votesPerDay) }} />
      <Chart id="st-categories" title="Top categories" note={stats.papersPerDay ? `Papers announced ${stats.papersPerDay.from} to ${stats.papersPerDay.to}, by category (a paper counts in each of its categories).` : null}
        svg={horizontalBarChart({ title: 'Papers per arXiv category', items: categories, unit: 'papers' })}
        figures={{ what: 'Category', unit: 'Papers', points: categories }} />
      <section aria-labelledby="st-month">
        <h2 id="st-month">Most upvoted{month ? `, ${formatWindow(month)}` : ''}</h2>
        {stats.topOfMonth && stats.topOfMonth.papers.length ? (
          <div class="table-wrap" {...scrollable('Most upvoted papers')}>
            <table class="runs">
              <thead><tr><th scope="col" class="num">#</th><th scope="col">Paper</th><th scope="col" class="num">Upvotes</th><th scope="col">On the list</th></tr></thead>
              <tbody>
                {stats.topOfMonth.papers.map((p, i) => (
                  <tr>
                    <td class="num">{i + 1}</td>
                    <td><a href={`/papers/${p.id}`}>{p.title}</a></td>
                    <td class="num">{n(p.upvotes)}</td>
                    <td>{p.entry ? <a href={`/papers/date/${p.entry.day}`}>{p.entry.day}</a> : null}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : <p class="empty">No Daily papers that month.</p>}
        {month ? <p><a href={`/papers/month/${month.label}?sort=upvotes`}>The whole month, most upvoted first</a></p> : null}
      </section>
    </Layout>
  );
}
