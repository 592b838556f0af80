/**
 * Is a source broken? Two ways it can be, so that nobody finds out weeks later that it stopped:
 *
 * - failing: its polls have failed without a success for longer than `failingAfter` of wall-clock
 *   time, counted from the first failure of the current run, recorded with its real time when it
 *   happened, and never from before the checker started watching: a process that was down
 *   polled nothing, so it cannot say the source failed meanwhile. The retries of one poll are
 *   one failure (the poll job records them so);
 * - silent: its polls succeed but it brought no new mention for far longer than its usual rhythm,
 *   max(`silentFloor`, `silentFactor` x the median gap between its arrivals of new mentions over
 *   the last 30 days). A feed whose URL changed, or a search that no longer matches, looks like
 *   this.
 *
 * Pure: the ops-check job feeds it the poll state and the arrival times.
 */
import type { OperationalConfig } from './settings.js';

/** How far back the usual rhythm is measured. */
export const RHYTHM_WINDOW_MS = 30 * 24 * 3_600_000;
/** Fewer arrivals than this in the window: too quiet to call silent. */
export const MIN_ARRIVALS = 5;
/** Mentions fetched within this of each other arrived together (one poll). */
const SAME_ARRIVAL_MS = 60_000;

export interface SourceHealthInput {
  now: Date;
  state: {
    lastSuccessAt?: Date;
    lastPolledAt?: Date;
    lastError?: { message: string; at: Date };
    consecutiveFailures: number;
    /** The first failure of the current run, at its real time (unset: the run is not dated). */
    failingSince?: Date;
  };
  /** `fetchedAt` of the source's recent mentions, newest first or in any order. */
  arrivals: Date[];
}

export interface FailingProblem {
  kind: 'failing';
  /** The first failure of the run, or when the checker started watching if that is later. */
  since: Date;
  failures: number;
  lastError?: { message: string; at: Date };
}

export interface SilentProblem {
  kind: 'silent';
  /** The last arrival of a new mention. */
  since: Date;
  usualGapMs: number;
  thresholdMs: number;
}

export interface SourceHealth {
  failing: FailingProblem | null;
  silent: SilentProblem | null;
  /** The last arrival of a new mention, if any; a silent alert ends with the next one. */
  lastArrival: Date | null;
  /** Median gap between arrivals over the last 30 days, when there were enough of them. */
  usualGapMs: number | null;
}

export function assessSource(input: SourceHealthInput, cfg: OperationalConfig): SourceHealth {
  const now = input.now.getTime();
  const s = input.state;

  let failing: FailingProblem | null = null;
  // A run recorded before its start was dated (an older Maillon) waits for its next failure.
  if (s.consecutiveFailures > 0 && s.failingSince) {
    // The poll side starts a new run after a stretch without polls (Maillon stopped), so the
    // run's start is real time seen polling, whichever process runs this check.
    const since = s.failingSince;
    if (now - since.getTime() > cfg.failingAfter) {
      failing = {
        kind: 'failing',
        since,
        failures: s.consecutiveFailures,
        ...(s.lastError ? { lastError: s.lastError } : {}),
      };
    }
  }

  const arrivals = distinctArrivals(input.arrivals);
  // The newest mention itself, not the start of its batch: a silent alert ends after it.
  const lastArrival =
    input.arrivals.length > 0
      ? new Date(Math.max(...input.arrivals.map((d) => d.getTime())))
      : null;
  const recent = arrivals.filter((t) => t >= now - RHYTHM_WINDOW_MS);
  const usualGapMs = recent.length >= MIN_ARRIVALS ? median(gaps(recent)) : null;

  let silent: SilentProblem | null = null;
  // A failing source is silent too; the failure is the news, one alert is enough.
  if (s.consecutiveFailures === 0 && lastArrival && usualGapMs !== null) {
    const thresholdMs = Math.max(cfg.silentFloor, cfg.silentFactor * usualGapMs);
    if (now - lastArrival.getTime() > thresholdMs) {
      silent = { kind: 'silent', since: lastArrival, usualGapMs, thresholdMs };
    }
  }
  return { failing, silent, lastArrival, usualGapMs };
}

/** Ascending instants, mentions of one poll counted as one arrival. */
function distinctArrivals(dates: Date[]): number[] {
  const sorted = dates.map((d) => d.getTime()).toSorted((a, b) => a - b);
  const out: number[] = [];
  for (const t of sorted) {
    const last = out[out.length - 1];
    if (last === undefined || t - last > SAME_ARRIVAL_MS) out.push(t);
  }
  return out;
}

function gaps(ts: number[]): number[] {
  return ts.slice(1).map((t, i) => t - (ts[i] as number));
}

function median(xs: number[]): number {
  const s = xs.toSorted((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1
    ? (s[mid] as number)
    : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}
