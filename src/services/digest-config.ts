/**
 * The digest's settings: a zod fragment for src/config.ts (the only reader of the environment)
 * and the settings object the CLI and the scheduler take. Documented in docs/configuration.md
 * and docs/email.md.
 */
import { z } from 'zod';
import { isTimeZone } from '../domain/digest.ts';

export interface DigestSettings {
  /** Local time (HH:MM, in `timeZone`) at which `serve` sends the day's digests; null: it does not. */
  at: string | null;
  /** IANA time zone of `at` and of "today" for `paperboy digest send`. */
  timeZone: string;
  /** ISO weekday the weekly digest goes out: 1 = Monday ... 7 = Sunday. */
  weeklyDay: number;
  /** An address that unsubscribes by mail (List-Unsubscribe mailto); null: https only. */
  unsubscribeMailto: string | null;
  /** Parallel SMTP connections a digest run uses. */
  connections: number;
  /**
   * How long a run holds a message it is sending before another run may take it over (seconds):
   * after a crash, the next run sends the crashed run's messages once this has passed.
   */
  leaseSeconds: number;
}

export const DIGEST_DEFAULTS: DigestSettings = { at: '07:00', timeZone: 'UTC', weeklyDay: 1, unsubscribeMailto: null, connections: 4, leaseSeconds: 120 };

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/** Merge into the config schema: `z.object({ ...existing, ...digestEnvShape })`. */
export const digestEnvShape = {
  PAPERBOY_DIGEST_SCHEDULE: z.string().regex(/^(off|([01]\d|2[0-3]):[0-5]\d)$/, 'must be off or HH:MM (in PAPERBOY_DIGEST_TIMEZONE)').default('07:00'),
  PAPERBOY_DIGEST_TIMEZONE: z.string().refine(isTimeZone, 'must be an IANA time zone such as UTC or Europe/Berlin').default('UTC'),
  PAPERBOY_DIGEST_WEEKLY_DAY: z.enum(WEEKDAYS, { error: 'must be mon, tue, wed, thu, fri, sat or sun' }).default('mon'),
  PAPERBOY_UNSUBSCRIBE_MAILTO: z.email('must be an e-mail address').optional(),
  PAPERBOY_SMTP_CONNECTIONS: z.coerce.number().int().min(1).max(32).default(4),
  PAPERBOY_DIGEST_LEASE_SECONDS: z.coerce.number().int('must be whole seconds').min(5, 'must be at least 5 (seconds)').max(86_400, 'must be at most 86400 (a day)').default(120),
};

export const digestEnvSchema = z.object(digestEnvShape);

/** The settings from the parsed environment (the fields of `digestEnvShape`). */
export function digestSettingsFrom(e: z.infer<typeof digestEnvSchema>): DigestSettings {
  return {
    at: e.PAPERBOY_DIGEST_SCHEDULE === 'off' ? null : e.PAPERBOY_DIGEST_SCHEDULE,
    timeZone: e.PAPERBOY_DIGEST_TIMEZONE,
    weeklyDay: WEEKDAYS.indexOf(e.PAPERBOY_DIGEST_WEEKLY_DAY) + 1,
    unsubscribeMailto: e.PAPERBOY_UNSUBSCRIBE_MAILTO ?? null,
    connections: e.PAPERBOY_SMTP_CONNECTIONS,
    leaseSeconds: e.PAPERBOY_DIGEST_LEASE_SECONDS,
  };
}
