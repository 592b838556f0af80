/**
 * A worker thread of the scenario suite: runs the jobs its parent posts, one at a time, and
 * posts each result back (scenarios.ts spreads the runs over the machine's cores).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { TouchpointsConfig } from '../../../config/index.js';
import type { DetectionParams } from '../../../src/detection/params.js';
import { createRunner, type Job } from './scenarios.js';

const data = workerData as { params: DetectionParams; touchpoints: TouchpointsConfig };
const run = createRunner(data.params, data.touchpoints);
const port = parentPort;
if (!port) throw new Error('scenario-worker.ts runs as a worker thread');
port.on('message', (job: Job) => port.postMessage(run(job)));
