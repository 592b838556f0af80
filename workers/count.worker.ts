/** Entry point: the count worker alone (one drain runs at a time, whatever the number of processes). */
import { runWorkers } from '../src/run-workers.js';

await runWorkers(['count']);
