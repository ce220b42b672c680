/**
 * Real Chromium (Debian's packages) driven by playwright-core, and axe-core for accessibility.
 * Browser tests skip with a clear message when Chromium is missing, except when
 * PAPERBOY_REQUIRE_ALL=1 or CI=true, where a missing browser is a failure.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { startTestServer } from './server.ts';
import { WebClient } from './web-client.ts';

/**
 * The whole browser (Debian's chromium package). Tests of what Back shows need it: the headless
 * shell has no back/forward cache (with member pages made cacheable, those tests passed in the
 * shell and failed in the browser). PAPERBOY_CHROMIUM_BROWSER names another binary.
 */
export const CHROMIUM_BROWSER_PATH = process.env.PAPERBOY_CHROMIUM_BROWSER ?? '/usr/bin/chromium';

/**
 * Everything else runs in Chromium's headless shell (Debian's chromium-headless-shell: the same
 * Blink and V8 without the browser's windows, what Playwright itself runs headless) when installed,
 * else in the whole browser. The shell took about a quarter less CPU and two fifths less time over
 * the same test files, and the tests in Chromium are the longest part of the suite.
 * PAPERBOY_CHROMIUM names another binary.
 */
export const CHROMIUM_PATH = process.env.PAPERBOY_CHROMIUM
  ?? ['/usr/bin/chromium-headless-shell', CHROMIUM_BROWSER_PATH].find((p) => fs.existsSync(p)) ?? '/usr/bin/chromium-headless-shell';
export const ARTIFACTS_DIR = path.resolve('test-artifacts');

const FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
];

export function requireAll(): boolean {
  return process.env.PAPERBOY_REQUIRE_ALL === '1' || process.env.CI === 'true';
}

/**
 * Null when the browser tests can run (with `backForwardCache`, the whole browser's); otherwise why
 * not (a skip message). Throws when skips are failures.
 */
export function browserUnavailable(opts: { backForwardCache?: boolean } = {}): string | null {
  const [binary, pkg] = opts.backForwardCache ? [CHROMIUM_BROWSER_PATH, 'chromium'] : [CHROMIUM_PATH, 'chromium-headless-shell'];
  if (fs.existsSync(binary)) return null;
  const why = `Chromium not found at ${binary}: install it with "sudo scripts/install-deps.sh" (Debian's ${pkg} package)`;
  if (requireAll()) throw new Error(why);
  return why;
}

/**
 * Chromium as the tests drive it. playwright-core turns the back/forward cache off by default;
 * `backForwardCache: true` keeps it on, as in the browsers people use, for tests of what Back shows,
 * in the whole browser (the headless shell has none).
 */
export async function launchBrowser(opts: { backForwardCache?: boolean } = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: opts.backForwardCache ? CHROMIUM_BROWSER_PATH : CHROMIUM_PATH, args: FLAGS, headless: true,
    ...(opts.backForwardCache ? { ignoreDefaultArgs: ['--disable-back-forward-cache'] } : {}),
  });
}

/** A real server (on the bundled demo corpus unless `env` says otherwise) and Chromium with one page of `viewport`. */
export async function openSite(viewport: { width: number; height: number }, env: Record<string, string> = {}): Promise<{
  base: string; browser: Browser; page: Page; started: Awaited<ReturnType<typeof startTestServer>>; close(): Promise<void>;
}> {
  // Independent: Chromium starts while the server does (and is closed again if the server fails).
  const [server, launched] = await Promise.allSettled([startTestServer(env), launchBrowser()]);
  if (server.status === 'rejected') {
    if (launched.status === 'fulfilled') await launched.value.close();
    throw server.reason;
  }
  const started = server.value;
  if (launched.status === 'rejected') {
    await started.server.close();
    await started.store.close();
    throw launched.reason;
  }
  const browser = launched.value;
  const page = await browser.newPage({ viewport });
  return {
    base: started.server.url, browser, page, started,
    close: async () => { await browser.close(); await started.server.close(); await started.store.close(); },
  };
}

/**
 * A page in a new context of `browser`, signed in as `login`: the sign-in form is posted over HTTP,
 * as the browser would post it, and the cookies the server sets are handed to the context. That
 * spares a test the sign-in page, the typing and the front page it lands on (two to three seconds a
 * test on a busy machine); signing in through the page itself is tested in
 * test/browser/community.test.ts. The page is blank: the test goes where it begins.
 */
export async function signedInPage(browser: Browser, base: string, login: string, password: string, options: BrowserContextOptions = {}): Promise<Page> {
  // Over HTTP from this machine, as the browser's own requests come (127.0.0.1 whether or not the server trusts a proxy).
  const client = new WebClient({ request: (where, init) => fetch(`${base}${where}`, { ...init, redirect: 'manual' }) }, '127.0.0.1');
  const res = await client.post('/signin', { login, password });
  if (res.status !== 303) throw new Error(`signedInPage: signing in as ${login} answered ${res.status}`);
  const context = await browser.newContext(options);
  // Every cookie set at sign-in has Path=/.
  await context.addCookies([...client.cookies].map(([name, value]) => ({ name, value, url: base, httpOnly: true, sameSite: 'Lax' as const })));
  return context.newPage();
}

/** The tallest screenshot taken, in CSS pixels; a taller page is shown from its top. */
const SCREENSHOT_MAX_HEIGHT = 8000;

/** Saves a full-page screenshot as a test artefact; returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const file = path.join(ARTIFACTS_DIR, `${name}.png`);
  // A page taller than SCREENSHOT_MAX_HEIGHT is shown from its top, through a viewport that tall for
  // the moment: the API reference is over 30,000 px, and a full-page shot of it took 25 s, up to
  // Chromium's 30 s timeout on a loaded machine (an 8,000 px viewport: under a second).
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  const viewport = page.viewportSize();
  if (height > SCREENSHOT_MAX_HEIGHT && viewport) {
    await page.setViewportSize({ width: viewport.width, height: SCREENSHOT_MAX_HEIGHT });
    try {
      await page.screenshot({ path: file });
    } finally {
      await page.setViewportSize(viewport);
    }
  } else {
    await page.screenshot({ path: file, fullPage: true });
  }
  return file;
}

const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/**
 * Axe-core's rules about colour. A page in its other colour scheme has the same markup, so once the
 * whole set has run on it, these are what can differ.
 */
const COLOUR_RULES = ['color-contrast', 'link-in-text-block'];

/**
 * Runs axe-core in the page; returns the moderate, serious and critical violations. With
 * `coloursOnly`, only the rules about colour run (a page seen again in its dark scheme).
 */
export async function moderateA11yViolations(page: Page, opts: { coloursOnly?: boolean } = {}): Promise<AxeViolation[]> {
  return (await allA11yViolations(page, opts.coloursOnly ? COLOUR_RULES : undefined)).filter((v) => v.impact === 'moderate' || v.impact === 'serious' || v.impact === 'critical');
}

/** Runs axe-core in the page; returns the serious and critical violations. */
export async function seriousA11yViolations(page: Page): Promise<AxeViolation[]> {
  return (await allA11yViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

async function allA11yViolations(page: Page, rules?: string[]): Promise<AxeViolation[]> {
  // Evaluated through the DevTools protocol, so the page's strict CSP does not have to be loosened for it.
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async (only) => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'], ...(only ? { runOnly: { type: 'rule', values: only } } : {}) });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
  }, rules ?? null);
  return violations;
}
