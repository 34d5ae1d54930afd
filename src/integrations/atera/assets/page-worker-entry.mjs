// The page worker's entry point: plain JavaScript, so a worker thread can start it wherever Keel runs (under
// tsx, or inside a test runner whose TypeScript loader worker threads do not inherit); it loads the TypeScript
// worker through tsx's API.
import { parentPort } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

const { serve } = await tsImport('./page-worker-thread.ts', import.meta.url);
serve(parentPort);
