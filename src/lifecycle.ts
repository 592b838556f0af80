/**
 * Graceful shutdown: on SIGTERM or SIGINT, run the steps in order (workers finish their jobs,
 * then the API, queues, MongoDB, Redis). A failing step is logged and the rest still run.
 */
import type { Logger } from './logger.js';

export interface ShutdownStep {
  name: string;
  run(): Promise<unknown>;
}

export async function runShutdown(steps: ShutdownStep[], logger: Logger): Promise<boolean> {
  let ok = true;
  for (const step of steps) {
    try {
      await step.run();
      logger.debug({ step: step.name }, 'closed');
    } catch (err) {
      ok = false;
      logger.error({ err, step: step.name }, 'shutdown step failed');
    }
  }
  return ok;
}

/** Start-up failed (a bad config value, a database out of reach): say why in one place, exit 1. */
export function exitOnStartupError(err: unknown): never {
  process.stderr.write(
    `maillon: cannot start: ${err instanceof Error ? err.message : String(err)}\n`,
  );
  process.exit(1);
}

/**
 * A signal this soon after the first is the same Ctrl-C: a terminal sends SIGINT to the whole
 * process group, and npm and tsx pass theirs on too, so one key press arrives two or three times.
 */
const SAME_SIGNAL_MS = 1_000;

/** Registers the signal handlers once; a second signal while closing forces the exit. */
export function onShutdownSignal(steps: () => ShutdownStep[], logger: Logger): void {
  let closingSince: number | null = null;
  const handler = (signal: NodeJS.Signals) => {
    if (closingSince !== null) {
      if (Date.now() - closingSince < SAME_SIGNAL_MS) return;
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    closingSince = Date.now();
    logger.info({ signal }, 'shutting down');
    void runShutdown(steps(), logger).then((ok) => process.exit(ok ? 0 : 1));
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}
