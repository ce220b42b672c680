/**
 * Prometheus metrics of this process (prom-client), served at /metrics (see docs/operations.md).
 * One registry per process; the web app, the schedulers, the mailers and search record into it.
 *
 * Labels are bounded on purpose: requests are labelled by route pattern (`/papers/:id`), never by
 * raw path, so a crawler cannot grow the series without limit.
 */
import client from 'prom-client';

export const registry = new client.Registry();

/** Seconds: from a fast cached page (sub-millisecond) to a slow search or a timed-out upstream. */
const LATENCY_BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Seconds: scheduled runs take from milliseconds (nothing due) to hours (a back-fill). */
const JOB_BUCKETS_S = [0.01, 0.1, 1, 10, 60, 300, 1800, 3600, 7200];

export const httpRequests = new client.Counter({
  name: 'paperboy_http_requests_total',
  help: 'HTTP requests answered, by method, route pattern and status code.',
  labelNames: ['method', 'route', 'status'] as const,
  registers: [registry],
});

export const httpDuration = new client.Histogram({
  name: 'paperboy_http_request_duration_seconds',
  help: 'Time to answer an HTTP request (until the handler returned its response), by method and route pattern.',
  labelNames: ['method', 'route'] as const,
  buckets: LATENCY_BUCKETS_S,
  registers: [registry],
});

export const httpInFlight = new client.Gauge({
  name: 'paperboy_http_requests_in_flight',
  help: 'HTTP requests being answered now.',
  registers: [registry],
});

export const jobRuns = new client.Counter({
  name: 'paperboy_job_runs_total',
  help: 'Runs of scheduled jobs in this process, by job and outcome (what the run did, busy when another process held the lease, failed).',
  labelNames: ['job', 'outcome'] as const,
  registers: [registry],
});

export const jobDuration = new client.Histogram({
  name: 'paperboy_job_duration_seconds',
  help: 'Duration of scheduled job runs that did something, by job.',
  labelNames: ['job'] as const,
  buckets: JOB_BUCKETS_S,
  registers: [registry],
});

export const mailSent = new client.Counter({
  name: 'paperboy_mail_sent_total',
  help: 'E-mail messages handed to the mail server or the outbox folder, by kind (notice: confirmations, resets and other one-off mail; digest).',
  labelNames: ['kind'] as const,
  registers: [registry],
});

export const mailFailed = new client.Counter({
  name: 'paperboy_mail_failed_total',
  help: 'E-mail messages that could not be handed over, by kind and reason (temporary, permanent, unknown, transport, aborted, error).',
  labelNames: ['kind', 'reason'] as const,
  registers: [registry],
});

export const searchDuration = new client.Histogram({
  name: 'paperboy_search_duration_seconds',
  help: 'Time to answer a search (parse, index, cards), by the mode that answered.',
  labelNames: ['mode'] as const,
  buckets: LATENCY_BUCKETS_S,
  registers: [registry],
});

let processMetrics = false;
/** Node's process metrics (CPU, memory, event-loop lag, handles, GC); idempotent. */
export function collectProcessMetrics(): void {
  if (processMetrics) return;
  processMetrics = true;
  client.collectDefaultMetrics({ register: registry });
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
/** A method label from a closed set: anything else is `other`. */
export function methodLabel(method: string): string {
  return METHODS.has(method) ? method : 'other';
}

/** The Prometheus text exposition of everything recorded so far. */
export async function renderMetrics(): Promise<{ contentType: string; body: string }> {
  return { contentType: registry.contentType, body: await registry.metrics() };
}
