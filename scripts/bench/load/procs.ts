/**
 * The bench's child processes: started, watched (CPU seconds and resident memory from /proc)
 * and all killed on the way out, whatever the way out is.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync, readdirSync } from 'node:fs';

const CLOCK_TICKS = 100; // USER_HZ on Linux

/** utime + stime (+ cutime + cstime: children waited for) of one process, in seconds. */
function cpuOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: fields start after the last ')'.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = [11, 12, 13, 14].reduce((s, i) => s + Number(f[i] ?? 0), 0);
    return ticks / CLOCK_TICKS;
  } catch {
    return null; // gone
  }
}

function rssOf(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** The process and its live descendants (a wrapper's real work is in its child). */
function tree(pid: number): number[] {
  const parent = new Map<number, number[]>();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = parent.get(ppid) ?? [];
      list.push(Number(e));
      parent.set(ppid, list);
    } catch {
      // exited meanwhile
    }
  }
  const out = [pid];
  for (let i = 0; i < out.length; i++) out.push(...(parent.get(out[i]!) ?? []));
  return out;
}

/** PostgreSQL's server processes for one database ("postgres: USER DB HOST ..."). */
export function pgBackends(db: string): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      // "postgres: [cluster: ]user database client state" (Debian names the cluster: "15/main:").
      const words = readFileSync(`/proc/${e}/cmdline`, 'utf8').split(' ');
      const at = words[1]?.endsWith(':') ? 3 : 2;
      if (words[0] === 'postgres:' && words[at] === db) out.push(Number(e));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/**
 * One watched process, or group of processes: CPU seconds and the highest resident memory (the
 * sum over the group) seen.
 */
export class Watched {
  private pids: number[];
  private maxRss = 0;

  /** `find`: the pids that make it up now (default: the process tree of `pid`). */
  constructor(
    readonly name: string,
    private readonly find: () => number[],
  ) {
    this.pids = find();
  }

  static tree(name: string, pid: number): Watched {
    return new Watched(name, () => tree(pid));
  }

  /** CPU seconds of each process now (children waited for included). */
  snapshot(): Map<number, number> {
    this.pids = this.find();
    return new Map(this.pids.map((p) => [p, cpuOf(p) ?? 0]));
  }

  /** CPU seconds spent since `snap` by the processes alive now (those gone are lost). */
  cpuSince(snap: Map<number, number>): number {
    this.pids = this.find();
    return this.pids.reduce((s, p) => s + Math.max(0, (cpuOf(p) ?? 0) - (snap.get(p) ?? 0)), 0);
  }

  sample(): void {
    this.pids = this.find();
    const rss = this.pids.reduce((s, p) => s + (rssOf(p) ?? 0), 0);
    this.maxRss = Math.max(this.maxRss, rss);
  }

  /** The highest resident memory since the last reset, in bytes. */
  peakRss(): number {
    return this.maxRss;
  }

  resetPeak(): void {
    this.maxRss = 0;
  }
}

/** Samples every watched process's memory twice a second. */
export function startSampler(watched: () => Watched[], everyMs = 500): { stop(): void } {
  const t = setInterval(() => {
    for (const w of watched()) w.sample();
  }, everyMs);
  return { stop: () => clearInterval(t) };
}

const children = new Set<ChildProcess>();

/** Kills every child still running: SIGTERM, then SIGKILL after `graceMs`. */
export async function killAll(graceMs = 5_000): Promise<void> {
  const live = [...children].filter((c) => c.exitCode === null && c.signalCode === null);
  await Promise.all(
    live.map(
      (c) =>
        new Promise<void>((resolve) => {
          const t = setTimeout(() => c.kill('SIGKILL'), graceMs);
          c.once('exit', () => {
            clearTimeout(t);
            resolve();
          });
          c.kill('SIGTERM');
        }),
    ),
  );
}

/**
 * Spawns `node <args>` (with `--import tsx` in `args` rather than the tsx wrapper, the pid is the
 * one doing the work), its output appended to `logFile`.
 */
export function spawnNode(
  args: string[],
  opts: { env: NodeJS.ProcessEnv; cwd: string; logFile: string; stdout?: (s: string) => void },
): ChildProcess {
  const child = spawn(process.execPath, args, {
    cwd: opts.cwd,
    env: opts.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  const log = createWriteStream(opts.logFile, { flags: 'a' });
  child.stdout?.on('data', (d: Buffer) => {
    log.write(d);
    opts.stdout?.(d.toString('utf8'));
  });
  child.stderr?.on('data', (d: Buffer) => log.write(d));
  child.once('exit', () => log.end());
  return child;
}

/** Resolves with the exit code once the child exits. */
export function exited(child: ChildProcess): Promise<number> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code ?? 1)));
}
