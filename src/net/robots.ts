/**
 * robots.txt, read as RFC 9309 says, for the sources that crawl pages and feeds (a source kind's
 * `politeness.robots`; documented APIs are governed by their terms instead). One robots.txt per
 * origin, fetched through the same guarded client as everything else and kept in memory a day:
 *
 * - 2xx: its rules, for the group of our product token (`Maillon`), else `*`; a Crawl-delay of
 *   that group lowers the host's budget (./host-limits.ts `budgetOf`);
 * - 4xx (but 429): no robots.txt, everything allowed;
 * - 429, 5xx or unreachable: everything disallowed (the poll fails with that reason), unless
 *   rules read before are at hand, which are kept meanwhile (RFC 9309 §2.3.1.4). It is asked
 *   again after `retryMs` only, a few seconds: enough for the retries of a poll and the other
 *   feeds of the site not to ask each time, short enough that a site back up is read at its
 *   next poll. While the site is down, it gets one robots.txt request per poll instead of one
 *   feed request: no more than before.
 */
import robotsParserModule from 'robots-parser';

// robots-parser is CommonJS (`module.exports = fn`) typed as an ES module's default export: under
// NodeNext the default import is the function at run time but typed as the module.
const robotsParser = robotsParserModule as unknown as typeof robotsParserModule.default;

/** The answer to a robots.txt request; a request that got no answer throws. */
export interface RobotsAnswer {
  status: number;
  body: Buffer;
}

export type RobotsFetch = (url: string, signal: AbortSignal) => Promise<RobotsAnswer>;

export type RobotsVerdict =
  | { allowed: true; crawlDelayMs?: number }
  | { allowed: false; reason: string };

export interface RobotsOptions {
  fetch: RobotsFetch;
  /** The product token its groups are matched against (`Maillon`), then `*`. */
  userAgent: string;
  /** How long a robots.txt read is kept. @default 24 h */
  ttlMs?: number;
  /** How long an unreachable robots.txt disallows before it is asked again. @default 5 s */
  retryMs?: number;
  /** Origins remembered at most (the oldest go first). @default 1000 */
  maxOrigins?: number;
  now?: () => number;
}

export interface Robots {
  /** Whether `url` may be fetched; fetches the origin's robots.txt when not known. */
  check(url: string, signal: AbortSignal): Promise<RobotsVerdict>;
}

type Rules = ReturnType<typeof robotsParser>;
interface Entry {
  until: number;
  /** Undefined: no robots.txt, all allowed. */
  rules?: Rules;
  /** Set while robots.txt cannot be read and no earlier rules are at hand. */
  unreachable?: string;
}

export function createRobots(opts: RobotsOptions): Robots {
  const ttlMs = opts.ttlMs ?? 24 * 3_600_000;
  const retryMs = opts.retryMs ?? 5_000;
  const maxOrigins = opts.maxOrigins ?? 1000;
  const now = opts.now ?? Date.now;
  const cache = new Map<string, Entry>();
  const inflight = new Map<string, Promise<Entry>>();

  async function read(origin: string, signal: AbortSignal, stale: Entry | undefined) {
    const url = `${origin}/robots.txt`;
    const unreachable = (why: string): Entry =>
      stale?.rules
        ? { until: now() + retryMs, rules: stale.rules }
        : { until: now() + retryMs, unreachable: why };
    let answer: RobotsAnswer;
    try {
      answer = await opts.fetch(url, signal);
    } catch (err) {
      // An aborted poll says nothing about the site.
      if (signal.aborted) throw err;
      return unreachable(`could not be read (${err instanceof Error ? err.message : String(err)})`);
    }
    if (answer.status >= 200 && answer.status < 300)
      return { until: now() + ttlMs, rules: robotsParser(url, answer.body.toString('utf8')) };
    if (answer.status >= 400 && answer.status < 500 && answer.status !== 429)
      return { until: now() + ttlMs };
    return unreachable(`answered ${answer.status}`);
  }

  async function entryFor(origin: string, signal: AbortSignal): Promise<Entry> {
    const known = cache.get(origin);
    if (known && known.until > now()) return known;
    let pending = inflight.get(origin);
    if (!pending) {
      pending = read(origin, signal, known).finally(() => inflight.delete(origin));
      inflight.set(origin, pending);
    }
    const entry = await pending;
    cache.delete(origin);
    cache.set(origin, entry);
    if (cache.size > maxOrigins) cache.delete(cache.keys().next().value as string);
    return entry;
  }

  return {
    async check(url, signal) {
      const u = new URL(url);
      const entry = await entryFor(u.origin, signal);
      if (entry.unreachable)
        return {
          allowed: false,
          reason: `${u.origin}/robots.txt ${entry.unreachable}: taken as a disallow for now (RFC 9309)`,
        };
      if (!entry.rules) return { allowed: true };
      // Undefined when the URL is not of the file's origin: cannot happen here, read as allowed.
      if (entry.rules.isAllowed(url, opts.userAgent) === false)
        return {
          allowed: false,
          reason: `${u.origin}/robots.txt disallows ${u.pathname} for ${opts.userAgent}`,
        };
      const delay = Number(entry.rules.getCrawlDelay(opts.userAgent));
      return Number.isFinite(delay) && delay > 0
        ? { allowed: true, crawlDelayMs: delay * 1000 }
        : { allowed: true };
    },
  };
}
