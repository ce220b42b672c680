/**
 * Static assets: the stylesheet, the icon, and the client bundle (built with esbuild in memory at
 * start-up, so there is no build step to forget). Each is served with a content hash for caching.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));

export interface Asset {
  body: Buffer;
  type: string;
  hash: string;
}

export type Assets = Map<string, Asset>;

function asset(body: Buffer, type: string): Asset {
  return { body, type, hash: createHash('sha256').update(body).digest('hex').slice(0, 12) };
}

/** Builds the client bundle and reads the static files. */
export async function loadAssets(): Promise<Assets> {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [path.join(HERE, 'client', 'main.ts')],
    bundle: true,
    format: 'esm',
    minify: true,
    target: 'es2020',
    write: false,
    logLevel: 'silent',
  });
  const js = Buffer.from(result.outputFiles[0]!.contents);
  return new Map([
    ['style.css', asset(fs.readFileSync(path.join(HERE, 'assets', 'style.css')), 'text/css; charset=utf-8')],
    ['favicon.svg', asset(fs.readFileSync(path.join(HERE, 'assets', 'favicon.svg')), 'image/svg+xml')],
    ['app.js', asset(js, 'text/javascript; charset=utf-8')],
  ]);
}
