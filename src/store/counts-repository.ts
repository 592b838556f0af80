/**
 * Counts per touchpoint, stage, source and overall, in buckets of event time (publishedAt): 15
 * minutes for alerting, an hour or a day for trends.
 *
 * Counting must be atomic and idempotent: a retried analyze job, a stalled job run twice, or a
 * mention analysed again must count once. Increments are not idempotent and FerretDB v1 has no
 * transactions, so what is kept is one *fact* per mention and cell (`<mention>|<dim>|<key>`,
 * with its label, author, source, reach and shares), written with an unordered insert on that
 * id: a second write of the same fact fails on its key and changes nothing. Buckets of any size
 * are summed from the facts when read; one touchpoint's five weeks is a few thousand small
 * documents. (On FerretDB an upsert costs a query each, an insert batch one round trip.)
 */
import type { Collection, Db } from 'mongodb';
import { isOnlyDuplicateKeys } from './mongo.js';

export const BUCKETS = { '15m': 15 * 60_000, '1h': 3_600_000, '1d': 86_400_000 } as const;
export type BucketSize = keyof typeof BUCKETS;
export type Dimension = 'touchpoint' | 'stage' | 'source' | 'all';
type Label = 'negative' | 'neutral' | 'positive';

/** What one analysed mention contributes to the counts. */
export interface Contribution {
  mentionId: string;
  publishedAt: Date;
  source: string;
  author: string;
  /** `textFingerprint` of the mention's text: copies of one text are one voice (default: its id). */
  textKey?: string;
  reach: number;
  shares: number;
  relevant: boolean;
  overall: Label;
  touchpoints: { id: string; stage: string; label: Label }[];
}

interface FactDoc {
  _id: string;
  mentionId: string;
  dim: Dimension;
  key: string;
  at: Date;
  label: Label;
  /** Per source: "mastodon:@ann". */
  author: string;
  source: string;
  /** Fingerprint of the text (absent on facts written before it was kept: the mention id stands in). */
  text?: string;
  reach: number;
  shares: number;
}

/** A bucket as its readers see it: plain numbers. */
export interface Bucket {
  dim: Dimension;
  key: string;
  size: BucketSize;
  start: Date;
  volume: number;
  negative: number;
  positive: number;
  authors: number;
  sources: number;
  negativeAuthors: number;
  negativeSources: number;
  topAuthorNegative: number;
  negativeReach: number;
  negativeShares: number;
  /** The negatives' mention ids, for evidence. */
  negativeIds: string[];
  /** The negatives per author, source and text fingerprint: the detector judges windows of hours by them. */
  negativeByAuthor: Record<string, number>;
  negativeBySource: Record<string, number>;
  negativeByText: Record<string, number>;
}

export type CountsRepository = ReturnType<typeof createCountsRepository>;

const HOUR_MS = 3_600_000;

/** One formatter per zone: building one costs far more than using it. */
const formatters = new Map<string, Intl.DateTimeFormat>();

/** Offset of `timeZone` from UTC at instant `t` (Paris in winter: +1 h), from Intl. */
function zoneOffset(t: number, timeZone: string): number {
  let fmt = formatters.get(timeZone);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
    formatters.set(timeZone, fmt);
  }
  const parts = fmt.formatToParts(new Date(t));
  const get = (type: Intl.DateTimeFormatPartTypes) =>
    Number(parts.find((p) => p.type === type)?.value ?? 0);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'));
  return wall - Math.floor(t / 60_000) * 60_000;
}

/**
 * Start of the bucket holding `at`. 15-minute and hourly buckets are aligned on UTC (the same
 * instants in every zone with whole-hour offsets); a day is the local day of `timeZone`, so a
 * Paris brand's Monday starts at Paris midnight, and a day is 23 or 25 hours when clocks change.
 */
export function bucketStart(at: Date, size: BucketSize, timeZone = 'UTC'): Date {
  const ms = BUCKETS[size];
  const t = at.getTime();
  if (size !== '1d' || timeZone === 'UTC') return new Date(Math.floor(t / ms) * ms);
  const offset = zoneOffset(t, timeZone);
  const wallMidnight = Math.floor((t + offset) / ms) * ms;
  // The offset in force at midnight may differ from the one at `at` (a change during the day).
  return new Date(wallMidnight - zoneOffset(wallMidnight - offset, timeZone));
}

/** Start of the bucket after the one starting at `start`. */
export function nextBucket(start: number, size: BucketSize, timeZone = 'UTC'): number {
  if (size !== '1d' || timeZone === 'UTC') return start + BUCKETS[size];
  // 26 hours on lands inside the next local day, whether this one lasts 23, 24 or 25 hours.
  return bucketStart(new Date(start + 26 * HOUR_MS), size, timeZone).getTime();
}

/** An empty bucket: what a chart or the detector reads where nobody wrote. */
function emptyBucket(dim: Dimension, key: string, size: BucketSize, start: Date): Bucket {
  return {
    dim,
    key,
    size,
    start,
    volume: 0,
    negative: 0,
    positive: 0,
    authors: 0,
    sources: 0,
    negativeAuthors: 0,
    negativeSources: 0,
    topAuthorNegative: 0,
    negativeReach: 0,
    negativeShares: 0,
    negativeIds: [],
    negativeByAuthor: {},
    negativeBySource: {},
    negativeByText: {},
  };
}

/**
 * One key's buckets over [from, to), one per slot, oldest first, gaps as empty buckets.
 * `buckets` may hold other keys; they are ignored.
 */
export function zeroFilled(
  buckets: readonly Bucket[],
  q: {
    dim: Dimension;
    key: string;
    size: BucketSize;
    from: number;
    to: number;
    timeZone?: string;
  },
): Bucket[] {
  const at = new Map(buckets.filter((b) => b.key === q.key).map((b) => [b.start.getTime(), b]));
  const out: Bucket[] = [];
  const first = bucketStart(new Date(q.from), q.size, q.timeZone).getTime();
  for (let t = first; t < q.to; t = nextBucket(t, q.size, q.timeZone)) {
    out.push(at.get(t) ?? emptyBucket(q.dim, q.key, q.size, new Date(t)));
  }
  return out;
}

export function createCountsRepository(db: Db) {
  const col: Collection<FactDoc> = db.collection<FactDoc>('counts');

  return {
    /**
     * Records one mention's facts. Idempotent; `replace` first removes the facts of an earlier
     * analysis (a re-analysis may change a label). Mentions the watch query excluded count
     * nowhere.
     */
    async add(c: Contribution, opts: { replace?: boolean } = {}): Promise<void> {
      if (opts.replace) await col.deleteMany({ mentionId: c.mentionId });
      if (!c.relevant) return;
      const cells: { dim: Dimension; key: string; label: Label }[] = [
        { dim: 'all', key: 'all', label: c.overall },
        { dim: 'source', key: c.source, label: c.overall },
        ...c.touchpoints.map((t) => ({ dim: 'touchpoint' as const, key: t.id, label: t.label })),
      ];
      // A stage is negative when any of its touchpoints is, positive when one is and none is negative.
      const stages = new Map<string, Label>();
      for (const t of c.touchpoints) {
        const prev = stages.get(t.stage);
        if (prev !== 'negative' && (t.label !== 'neutral' || !prev)) stages.set(t.stage, t.label);
      }
      for (const [stage, label] of stages) cells.push({ dim: 'stage', key: stage, label });
      const author = `${c.source}:${c.author}`;
      const facts = cells.map((cell) => ({
        _id: `${c.mentionId}|${cell.dim}|${cell.key}`,
        mentionId: c.mentionId,
        dim: cell.dim,
        key: cell.key,
        at: c.publishedAt,
        label: cell.label,
        author,
        source: c.source,
        text: c.textKey ?? c.mentionId,
        reach: c.reach,
        shares: c.shares,
      }));
      try {
        await col.insertMany(facts, { ordered: false });
      } catch (err) {
        if (!isOnlyDuplicateKeys(err)) throw err;
      }
    },

    /**
     * Non-empty buckets of one dimension (all keys, or one) in [from, to), oldest first; days
     * are those of `timeZone` (UTC by default).
     */
    async range(q: {
      dim: Dimension;
      key?: string;
      size: BucketSize;
      from: Date;
      to: Date;
      timeZone?: string;
    }): Promise<Bucket[]> {
      const facts = await col
        .find({ dim: q.dim, ...(q.key ? { key: q.key } : {}), at: { $gte: q.from, $lt: q.to } })
        .toArray();
      const groups = new Map<string, { start: Date; facts: FactDoc[] }>();
      // A bucket start depends only on the fact's slot (its 15 minutes, or its UTC hour for
      // longer buckets, in zones with whole-hour offsets): one time-zone lookup per slot.
      const slot = Math.min(BUCKETS[q.size], HOUR_MS);
      const startOfSlot = new Map<number, Date>();
      for (const f of facts) {
        const key = Math.floor(f.at.getTime() / slot);
        let start = startOfSlot.get(key);
        if (!start) {
          start = bucketStart(new Date(key * slot), q.size, q.timeZone);
          startOfSlot.set(key, start);
        }
        const k = `${f.key}\u0000${start.getTime()}`;
        const group = groups.get(k);
        if (group) group.facts.push(f);
        else groups.set(k, { start, facts: [f] });
      }
      return [...groups.values()]
        .map((g) => toBucket(q.dim, q.size, g.start, g.facts))
        .toSorted((a, b) => a.start.getTime() - b.start.getTime() || a.key.localeCompare(b.key));
    },

    /** The latest bucket with data for this key, if any (event time, not wall clock). */
    async latest(dim: Dimension, key: string, size: BucketSize): Promise<Date | null> {
      const [doc] = await col
        .find({ dim, key }, { projection: { at: 1 } })
        .sort({ at: -1 })
        .limit(1)
        .toArray();
      return doc ? bucketStart(doc.at, size) : null;
    },
  };
}

function toBucket(dim: Dimension, size: BucketSize, start: Date, facts: FactDoc[]): Bucket {
  const first = facts[0]!;
  const negatives = facts.filter((f) => f.label === 'negative');
  const byAuthor: Record<string, number> = {};
  const bySource: Record<string, number> = {};
  const byText: Record<string, number> = {};
  for (const f of negatives) {
    byAuthor[f.author] = (byAuthor[f.author] ?? 0) + 1;
    bySource[f.source] = (bySource[f.source] ?? 0) + 1;
    const text = f.text ?? f.mentionId;
    byText[text] = (byText[text] ?? 0) + 1;
  }
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return {
    dim,
    key: first.key,
    size,
    start,
    volume: facts.length,
    negative: negatives.length,
    positive: facts.filter((f) => f.label === 'positive').length,
    authors: new Set(facts.map((f) => f.author)).size,
    sources: new Set(facts.map((f) => f.source)).size,
    negativeAuthors: Object.keys(byAuthor).length,
    negativeSources: Object.keys(bySource).length,
    topAuthorNegative: Math.max(0, ...Object.values(byAuthor)),
    negativeReach: round(negatives.reduce((s, f) => s + f.reach, 0)),
    negativeShares: negatives.reduce((s, f) => s + f.shares, 0),
    negativeIds: negatives.map((f) => f.mentionId),
    negativeByAuthor: byAuthor,
    negativeBySource: bySource,
    negativeByText: byText,
  };
}
