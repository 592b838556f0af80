/** Shared body of the workers/*.worker.ts entry points: start some workers, close them on signal. */
import { loadConfig } from '../config/index.js';
import { exitOnStartupError, onShutdownSignal } from './lifecycle.js';
import {
  createRuntime,
  runtimeShutdownSteps,
  startWorkers,
  workerShutdownSteps,
  type WorkerKind,
} from './runtime.js';

export async function runWorkers(kinds: WorkerKind[]): Promise<void> {
  try {
    const rt = await createRuntime(loadConfig(process.env));
    const workers = await startWorkers(rt, kinds);
    onShutdownSignal(
      () => [...workerShutdownSteps(workers), ...runtimeShutdownSteps(rt)],
      rt.logger,
    );
  } catch (err) {
    exitOnStartupError(err);
  }
}
