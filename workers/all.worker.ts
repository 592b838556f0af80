/** Entry point: every worker in one process, for small installs. */
import { runWorkers } from '../src/run-workers.js';
import { WORKER_KINDS } from '../src/runtime.js';

await runWorkers(WORKER_KINDS);
