/** Entry point: the API alone (workers run elsewhere). */
import { loadConfig } from '../config/index.js';
import { exitOnStartupError, onShutdownSignal } from './lifecycle.js';
import { createRuntime, runtimeShutdownSteps, startApi } from './runtime.js';

try {
  const rt = await createRuntime(loadConfig(process.env));
  const api = await startApi(rt);
  onShutdownSignal(() => [...api.steps, ...runtimeShutdownSteps(rt)], rt.logger);
} catch (err) {
  exitOnStartupError(err);
}
