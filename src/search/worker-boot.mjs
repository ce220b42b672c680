// Starts a worker thread on a TypeScript module: workers do not inherit the main thread's tsx
// loader, so it is registered here before the module (workerData.entry) is imported. A compiled
// module (.js, as `npm test` runs the project) needs no loader.
import { fileURLToPath } from 'node:url';
import { workerData } from 'node:worker_threads';

if (workerData.entry.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api');
  // The project's tsconfig.json (JSX settings), whatever folder the process was started from.
  register({ tsconfig: process.env.TSX_TSCONFIG_PATH ?? fileURLToPath(new URL('../../tsconfig.json', import.meta.url)) });
}
await import(workerData.entry);
