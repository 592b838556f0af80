/** Entry point: the detect worker alone (scale it on its own). */
import { runWorkers } from '../src/run-workers.js';

await runWorkers(['detect']);
