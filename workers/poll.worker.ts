/** Entry point: the poll worker alone (scale it on its own). */
import { runWorkers } from '../src/run-workers.js';

await runWorkers(['poll']);
