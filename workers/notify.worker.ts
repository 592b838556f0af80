/** Entry point: the notify worker alone (scale it on its own). */
import { runWorkers } from '../src/run-workers.js';

await runWorkers(['notify']);
