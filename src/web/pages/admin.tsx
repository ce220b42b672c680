/**
 * Admin: the last job runs (ingestion, imports), newest first.
 */
import type { JobRun } from '../../store/types.ts';
import { Layout, type SiteInfo } from './layout.tsx';
import { scrollable } from './controls.tsx';
import { counted } from '../../domain/words.ts';
import { AdminNav } from './admin-nav.tsx';

/** A failed run whose process died (or was stopped) shows as interrupted; its error says how. */
const runStatus = (r: JobRun) => (r.status === 'failed' && r.error?.startsWith('interrupted') ? 'interrupted' : r.status);

const COUNT_KEYS = ['new', 'updated', 'unchanged', 'announced', 'skipped', 'errors', 'pages', 'seconds'] as const;

/**
 * The counts of a run that has counts the ingest columns do not show (a digest run: enqueued, sent,
 * ...), as one line across those columns; null for an ingest run.
 */
function ownCounts(r: JobRun): string | null {
  const entries = Object.entries(r.counts ?? {});
  if (entries.every(([k]) => (COUNT_KEYS as readonly string[]).includes(k))) return null;
  return entries.map(([k, v]) => `${k} ${v}`).join(' · ');
}

export function AdminRunsPage({ site, runs, schedule }: { site: SiteInfo; runs: JobRun[]; schedule: string | null }) {
  return (
    <Layout site={site} title="Job runs">
      <AdminNav current="/admin/runs" />
      <h1>Job runs</h1>
      <p>
        {schedule ? <>arXiv ingestion runs every day at {schedule} UTC (RSS announcements, then an OAI-PMH catch-up).</> : <>Scheduled ingestion is off (<code>PAPERBOY_INGEST_SCHEDULE</code>).</>}
        {' '}Run one by hand with <code>paperboy ingest</code>.
      </p>
      {runs.length === 0 ? <p class="empty">No runs yet.</p> : (
        <div class="table-wrap" {...scrollable('Last job runs')}>
          <table class="runs">
            <caption class="sr-only">Last {counted(runs.length, 'job run')}</caption>
            <thead>
              <tr>
                <th scope="col">Started (UTC)</th><th scope="col">Job</th><th scope="col">Mode</th><th scope="col">Status</th>
                {COUNT_KEYS.map((k) => <th scope="col" class="num">{k}</th>)}
                <th scope="col">Errors and notes</th>
              </tr>
            </thead>
            <tbody>
              {runs.map((r) => { const own = ownCounts(r); return (
                <tr>
                  <td><time datetime={r.startedAt}>{r.startedAt.slice(0, 19).replace('T', ' ')}</time></td>
                  <td>{r.job}</td>
                  <td>{r.mode ?? ''}</td>
                  <td class={`status ${runStatus(r)}`}>{runStatus(r)}</td>
                  {own ? <td colSpan={COUNT_KEYS.length}>{own}</td> : COUNT_KEYS.map((k) => <td class="num">{r.counts?.[k] ?? ''}</td>)}
                  <td class="err">{r.error ?? ''}</td>
                </tr>
              ); })}
            </tbody>
          </table>
        </div>
      )}
    </Layout>
  );
}
