// Starts a worker thread on a TypeScript module: workers do not inherit the main thread's tsx
// loader, so it is registered here before the module (workerData.entry) is imported.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
