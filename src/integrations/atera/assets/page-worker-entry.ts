import { parentPort } from 'node:worker_threads';
import { serve } from './page-worker-thread.js';

// The page worker's entry point, bundled to plain JavaScript by page-worker.ts before the thread starts (worker
// threads do not inherit tsx's TypeScript loader).
if (parentPort) serve(parentPort);
