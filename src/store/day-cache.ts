/**
 * Day documents kept in memory between reads, for the detector: each of its runs reads five weeks
 * of one touchpoint's days, and between two runs only a day or two of them change. On the
 * bundled store a read costs a decode of the whole document (issue 9), so re-reading the same
 * five weeks after every drain was most of the store's work.
 *
 * Kept right across processes by the drain's change log: every drain batch first records the ids
 * of the documents it is about to write (`changes|<seq>`), and finishes by moving the drain's
 * sequence number. Before serving, the cache reads that number and the log entries since it last
 * looked, and forgets what they name, unless it already holds that batch (the drain keeps what
 * it writes). A document read while a batch is being applied is forgotten when that batch's
 * number comes. When the log no longer reaches back (a long pause, a store written by an older
 * version), the cache starts empty.
 */

export interface DayCacheSource<T> {
  read(id: string): Promise<T | null>;
  /** The last drain batch applied, or null before the first one. */
  appliedSeq(): Promise<number | null>;
  /** The ids batch `seq` wrote, or null when the log no longer has it. */
  changes(seq: number): Promise<string[] | null>;
}

export interface DayCache<T> {
  /** Documents by id, in order, nulls for the missing ones. */
  readMany(ids: readonly string[], parallel: number): Promise<(T | null)[]>;
  /** A document this process has just written (the drain): the next drain need not read it. */
  put(id: string, doc: T): void;
}

/** Beyond this many log entries behind, starting again is cheaper than catching up. */
const MAX_CATCH_UP = 50;

export function createDayCache<T>(
  source: DayCacheSource<T>,
  opts: {
    maxWeight: number;
    weigh: (doc: T) => number;
    /** The last batch a document holds: a log entry of that batch or earlier leaves it be. */
    stampOf: (doc: T) => number;
  },
): DayCache<T> {
  // Insertion order is recency order: a hit is moved to the end, the oldest are evicted first.
  const entries = new Map<string, { doc: T | null; weight: number }>();
  let total = 0;
  let seenSeq: number | null | undefined;
  /** Moves on every catch-up that forgot something: a read begun before it is not kept. */
  let epoch = 0;
  let syncing: Promise<void> | undefined;

  const forget = (id: string) => {
    const e = entries.get(id);
    if (!e) return;
    total -= e.weight;
    entries.delete(id);
  };
  const clear = () => {
    entries.clear();
    total = 0;
  };

  function keep(id: string, doc: T | null): void {
    const weight = 1 + (doc ? opts.weigh(doc) : 0);
    forget(id);
    entries.set(id, { doc, weight });
    total += weight;
    for (const [old, e] of entries) {
      if (total <= opts.maxWeight) break;
      total -= e.weight;
      entries.delete(old);
    }
  }

  async function catchUp(): Promise<void> {
    const seq = await source.appliedSeq();
    if (seq === seenSeq) return;
    epoch++;
    if (seenSeq == null || seq === null || seq < seenSeq || seq - seenSeq > MAX_CATCH_UP) {
      clear();
    } else {
      for (let s = seenSeq + 1; s <= seq; s++) {
        const ids = await source.changes(s);
        if (ids === null) {
          clear();
          break;
        }
        for (const id of ids) {
          const doc = entries.get(id)?.doc;
          if (!doc || opts.stampOf(doc) < s) forget(id);
        }
      }
    }
    seenSeq = seq;
  }

  return {
    async readMany(ids, parallel) {
      // Concurrent readers share one catch-up.
      syncing ??= catchUp().finally(() => (syncing = undefined));
      await syncing;
      const out: (T | null)[] = ids.map(() => null);
      let next = 0;
      const worker = async () => {
        while (next < ids.length) {
          const i = next++;
          const id = ids[i]!;
          const hit = entries.get(id);
          if (hit) {
            entries.delete(id);
            entries.set(id, hit);
            out[i] = hit.doc;
            continue;
          }
          const began = epoch;
          const doc = await source.read(id);
          out[i] = doc;
          if (began !== epoch) continue;
          keep(id, doc);
        }
      };
      await Promise.all(Array.from({ length: Math.min(parallel, ids.length) }, worker));
      return out;
    },
    put: keep,
  };
}
