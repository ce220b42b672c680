#!/usr/bin/env node
// The installed `paperboy` command: runs the TypeScript sources through tsx, with the project's own
// tsconfig.json (JSX settings) wherever it is started from: tsx would otherwise look in the current folder.
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

const tsconfig = fileURLToPath(new URL('../tsconfig.json', import.meta.url));
process.env.TSX_TSCONFIG_PATH ??= tsconfig; // worker threads and child processes find it too
register({ tsconfig });
await import('../src/main.ts');
