/**
 * A redis-server of a test's own, on a free port, for tests that stop or restart Redis: the
 * shared one (REDIS_URL) is never stopped. Nothing is saved to disk, so a restart comes back
 * empty, as a Redis without persistence does.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { canConnect, freePort } from '../../src/devtools/mongo-dev.js';

export interface OwnRedis {
  url: string;
  port: number;
  /** Kills it at once (SIGKILL), as a crash would. */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty. */
  restart(): Promise<void>;
  /** Safe to call twice. */
  stop(): Promise<void>;
}

export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;

  const start = async () => {
    const c = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    child = c;
    let exited = false;
    c.once('exit', () => (exited = true));
    while (!(await canConnect(port))) {
      if (exited) throw new Error(`redis-server: exited at start on port ${port}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const kill = async () => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGKILL');
    });
  };

  await start();
  return { url: `redis://127.0.0.1:${port}`, port, kill, restart: start, stop: kill };
}
