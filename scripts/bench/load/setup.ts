/**
 * What the load bench sets up around Maillon: its own config folder, a throw-away PostgreSQL
 * database, and the webhook receiver the alerts go to.
 */
import { execFile } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';
import { DEFAULT_CONFIG_DIR } from '../../../config/index.js';
import { BENCH_SOURCES, latencyTouchpointsYaml, type LatencyTouchpoint } from './generate.js';

/**
 * A copy of config/ in `dir`: the bench's sites as disabled sources (nothing is polled: the
 * mentions come through the import and the API; `watch` as on the real sites), the bench's
 * touchpoints added to the journey, and a webhook channel beside the log.
 */
export function writeConfig(dir: string, tps: LatencyTouchpoint[]): void {
  for (const f of ['sources.yaml', 'touchpoints.yaml', 'alerts.yaml', 'detection.yaml']) {
    cpSync(path.join(DEFAULT_CONFIG_DIR, f), path.join(dir, f));
  }
  const sources = BENCH_SOURCES.map(
    (s) =>
      `  - id: ${s.id}\n    kind: rss\n    enabled: false\n    url: http://127.0.0.1:9/${s.id}.xml\n    watch: ${s.watched}\n`,
  ).join('');
  writeFileSync(path.join(dir, 'sources.yaml'), `sources:\n${sources}`);
  const touchpoints = readFileSync(path.join(dir, 'touchpoints.yaml'), 'utf8');
  const topKeys = touchpoints.match(/^[a-z]\w*:/gm) ?? [];
  if (topKeys.at(-1) !== 'touchpoints:') {
    throw new Error(
      'bench:load: config/touchpoints.yaml does not end with its `touchpoints:` list',
    );
  }
  writeFileSync(
    path.join(dir, 'touchpoints.yaml'),
    `${touchpoints.trimEnd()}\n  # npm run bench:load's own touchpoints (alert latency)\n${latencyTouchpointsYaml(tps)}`,
  );
  writeFileSync(
    path.join(dir, 'alerts.yaml'),
    [
      'channels:',
      '  - id: console',
      '    type: log',
      '  - id: bench',
      '    type: webhook',
      '    urlEnv: BENCH_WEBHOOK_URL',
      '    secretEnv: BENCH_WEBHOOK_SECRET',
      '',
    ].join('\n'),
  );
}

const run = promisify(execFile);
const PG = ['-h', '127.0.0.1', '-p', '5432', '-U', 'postgres'];

/** A fresh PostgreSQL database (trust auth); `drop` is safe to call twice. */
export async function createPgDatabase(
  name: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  await run('createdb', [...PG, name]);
  let dropped: Promise<void> | undefined;
  return {
    url: `postgres://postgres@127.0.0.1:5432/${name}`,
    drop: () =>
      (dropped ??= run('dropdb', [...PG, '--if-exists', '--force', name]).then(() => undefined)),
  };
}

export interface Receipt {
  at: number;
  event: string;
  touchpoint: string | undefined;
}

/** The webhook receiver: records each alert event it gets, answers 204. */
export async function startReceiver(): Promise<{
  url: string;
  receipts: Receipt[];
  /** Resolves at the first `alert.opened` for `touchpoint` (or null after `timeoutMs`). */
  waitOpened(touchpoint: string, timeoutMs: number): Promise<Receipt | null>;
  close(): Promise<void>;
}> {
  const receipts: Receipt[] = [];
  const waiters = new Set<(r: Receipt) => void>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = Date.now();
      res.writeHead(204).end();
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          type?: string;
          alert?: { touchpoint?: { id?: string } };
        };
        const r: Receipt = { at, event: body.type ?? '?', touchpoint: body.alert?.touchpoint?.id };
        receipts.push(r);
        for (const w of waiters) w(r);
      } catch {
        // not ours to judge
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    receipts,
    waitOpened: (touchpoint, timeoutMs) => {
      const seen = receipts.find((r) => r.event === 'alert.opened' && r.touchpoint === touchpoint);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => {
        const t = setTimeout(() => {
          waiters.delete(w);
          resolve(null);
        }, timeoutMs);
        const w = (r: Receipt) => {
          if (r.event !== 'alert.opened' || r.touchpoint !== touchpoint) return;
          clearTimeout(t);
          waiters.delete(w);
          resolve(r);
        };
        waiters.add(w);
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
