/** Entry point: the API alone (workers run elsewhere). */
import { loadConfig } from '../config/index.js';
import { onShutdownSignal } from './lifecycle.js';
import { createRuntime, runtimeShutdownSteps, startApi } from './runtime.js';

const rt = await createRuntime(loadConfig(process.env));
const api = await startApi(rt);
onShutdownSignal(() => [...api.steps, ...runtimeShutdownSteps(rt)], rt.logger);
