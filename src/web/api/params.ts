/**
 * Small pieces the endpoint descriptions share: integer query parameters (validated as strings,
 * documented as integers), documented headers, and an SVG response.
 */
import type { Context } from 'hono';
import { z } from 'zod';
import { labelProblem, parseDay } from '../../domain/dates.ts';

/**
 * A whole-number query parameter in [min, max], `fallback` when absent. Malformed or out of range
 * is a 400 that says which parameter and what range.
 */
export function intParam(name: string, min: number, max: number, description: string): z.ZodOptional<z.ZodType<number, string>>;
export function intParam(name: string, min: number, max: number, description: string, fallback: number): z.ZodDefault<z.ZodType<number, string>>;
export function intParam(name: string, min: number, max: number, description: string, fallback?: number) {
  const int: z.ZodType<number, string> = z.string()
    .regex(/^\d{1,9}$/, `${name} must be a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.number().min(min, `${name} must be from ${min} to ${max}`).max(max, `${name} must be from ${min} to ${max}`));
  // zod leaves a default out of an input schema whose output type differs; carry it for the document.
  const meta = { description, type: 'integer', minimum: min, maximum: max, ...(fallback !== undefined ? { 'x-default': fallback } : {}) } as Record<string, unknown>;
  return fallback === undefined ? int.optional().meta(meta) : int.default(fallback).meta(meta);
}

export const LINK_HEADER = {
  Link: { description: 'The next page: `<url>; rel="next"` (absent on the last page).', schema: { type: 'string' } },
};

/**
 * `Link: <url>; rel="next"` with the request's own query and one parameter changed. A parameter
 * given twice keeps its first value, the one the answer used (`?date=A&date=B` lists A).
 */
export function nextLink(c: Context, baseUrl: string, changes: Record<string, string>): string {
  const url = new URL(c.req.url);
  const next = new URL(url.pathname, baseUrl);
  for (const k of new Set(url.searchParams.keys())) next.searchParams.set(k, url.searchParams.get(k)!);
  for (const [k, v] of Object.entries(changes)) next.searchParams.set(k, v);
  return `<${next.href}>; rel="next"`;
}

/** An SVG image response, cacheable for a few minutes. */
export function svg(c: Context, markup: string): Response {
  return c.body(markup, 200, { 'Content-Type': 'image/svg+xml; charset=utf-8', 'Cache-Control': 'public, max-age=300' });
}

/** An arXiv category (cs.CL) or archive (cs). */
export const CATEGORY_RE = /^[a-z-]{2,20}(\.[A-Za-z-]{1,10})?$/;
export const categoryParam = z.string().regex(CATEGORY_RE, 'category must be an arXiv category like cs.CL (or an archive like cs)')
  .describe('An arXiv category (cs.CL) or archive (cs).');
/** A UTC calendar day that exists (2025-02-30 does not). */
export const dayParam = z.string().max(40).superRefine((s, ctx) => {
  if (parseDay(s) === null) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(s)} ${labelProblem('day', s)}` });
})
  .meta({ type: 'string', format: 'date', description: 'A day, YYYY-MM-DD, from 1991-01-01 to 2999-12-31.' } as Record<string, unknown>);
