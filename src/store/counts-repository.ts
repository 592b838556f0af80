/**
 * Counts per touchpoint, stage, source and overall, in buckets of event time (publishedAt): 15
 * minutes for alerting, an hour or a day for trends.
 *
 * Shaped for the bundled FerretDB v1, which runs a query in SQL only when its filter is a lone
 * `_id` and scans the collection in Go otherwise (issue 9): every read here is by `_id` or of a
 * small collection, so its cost does not grow with the history.
 * - The doors write each batch's contributions to the `inbox` as one document (one insert, and
 *   later one delete, a batch however many mentions it holds). The inbox holds only what is not
 *   counted yet.
 * - One drainer at a time (the count queue's single job, see `enqueueCount`) folds inbox
 *   batches into `series` documents, one per dimension, key and UTC day, holding 96 quarters of
 *   summed stats; detection reads a day in one lookup by `_id`. Per key and UTC month, the
 *   drain also keeps the hours' sums, set from the days it has just written: trends read a
 *   month in one lookup.
 * - Exactly once without transactions: a batch is claimed under a sequence number before it is
 *   applied; the `counted` ledger keeps each mention's first batch, so a mention staged again
 *   (polled twice, retried, twice in one batch) is dropped; each day document records the last
 *   batch applied to it; and the batch leaves the inbox only after every document has it. A
 *   drainer that dies mid-batch is followed by one that re-applies the claimed batch to the
 *   documents that lack it, and to no other.
 * - Nested documents are what FerretDB v1 spends its CPU on (it turns each into SQLite JSON and
 *   back), so a day's quarters and an inbox batch are stored as JSON strings.
 * - A long-lived process may keep the touchpoints' days in memory (`cacheBytes`), right across
 *   processes through a change log the drain writes (src/store/day-cache.ts).
 */
import { BSON, ObjectId, type Collection, type Db } from 'mongodb';
import {
  bucketStart,
  bucketStartOf,
  bucketStarts,
  HOUR_MS,
  QUARTER_MS,
  utcDate,
  utcDayStart,
  utcDays,
  type BucketSize,
} from '../domain/calendar.js';
import { createDayCache } from './day-cache.js';
import { createPostingsRepository } from './postings-repository.js';
import { duplicateIndexes, isOnlyDuplicateKeys } from './mongo.js';

// The buckets' arithmetic is the calendar's (src/domain/calendar.ts); re-exported for the
// readers of counts that already import it from here.
export { BUCKETS, bucketStart, nextBucket, type BucketSize } from '../domain/calendar.js';
/** `brand`: the competitors of share of voice, by id (the brand's own counts are `all`'s). */
export type Dimension = 'touchpoint' | 'stage' | 'source' | 'all' | 'brand';
export type Label = 'negative' | 'neutral' | 'positive';

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
  /** Its estimated audience (people, src/analysis/reach.ts): the trends' reach (default 0). */
  audience?: number;
  /** The overall sentiment score, in [-1, 1]: the trends' mean sentiment (default 0). */
  score?: number;
  /**
   * About the brand: counted everywhere. A mention that is not is counted only under the
   * competitors it names (`brands`), if any.
   */
  relevant: boolean;
  overall: Label;
  /** Each touchpoint with its label and score (default: the overall score). */
  touchpoints: { id: string; stage: string; label: Label; score?: number }[];
  /** The competitors it names, by id (share of voice): counted under the `brand` dimension. */
  brands?: string[];
  /**
   * The mention's edit number (absent: as first stored). A higher version of a counted mention
   * replaces it in the counts: what the ledger says was counted comes out, this goes in, once.
   */
  version?: number;
  /**
   * The mention explorer's index keys, separated by spaces (src/analysis/search-terms.ts): the
   * drain puts the mention under them (src/store/postings-repository.ts), and an edit's takes out
   * those the ledger kept. Absent: not indexed.
   */
  ix?: string;
  /**
   * Staged for the index only, never counted: `copy`, a cross-post (counted on its first source),
   * through the ledger like any mention; `reindex` (`maillon reindex`), around the ledger.
   */
  indexOnly?: 'copy' | 'reindex';
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
  negativeAuthors: number;
  negativeSources: number;
  topAuthorNegative: number;
  negativeReach: number;
  negativeShares: number;
  /** The sentiment scores summed (mean sentiment = sentimentSum / volume); 0 before they were kept. */
  sentimentSum: number;
  /** The estimated audiences summed (people); 0 before they were kept. */
  audience: number;
  /** Some of the negatives' mention ids (at most 20 a quarter), for evidence. */
  negativeIds: string[];
  /** The negatives per author, source and text fingerprint: the detector judges windows of hours by them. */
  negativeByAuthor: Record<string, number>;
  negativeBySource: Record<string, number>;
  negativeByText: Record<string, number>;
}

/** A bucket's sums, what trends read (`sums`): no lists, so that a day costs no decoding twice. */
export interface BucketSums {
  key: string;
  start: Date;
  volume: number;
  negative: number;
  positive: number;
  negativeReach: number;
  sentimentSum: number;
  audience: number;
}

export type CountsRepository = ReturnType<typeof createCountsRepository>;

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
    negativeAuthors: 0,
    negativeSources: 0,
    topAuthorNegative: 0,
    negativeReach: 0,
    negativeShares: 0,
    sentimentSum: 0,
    audience: 0,
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
  return bucketStarts(q.from, q.to, q.size, q.timeZone).map(
    (t) => at.get(t) ?? emptyBucket(q.dim, q.key, q.size, new Date(t)),
  );
}

/** A contribution waiting in the inbox; `_id` is its mention's id. */
interface InboxItem extends Omit<Contribution, 'mentionId'> {
  _id: string;
}

/**
 * One door batch's contributions, staged together, as one JSON string: FerretDB turns each
 * nested document into SQLite JSON and back (issue 9: most of its CPU), a string costs it nothing.
 * Stores written before this change may still hold one contribution a document.
 */
type InboxDoc =
  | {
      _id: string;
      /** How many items: `pending` sums it without reading them. */
      n: number;
      items: string | InboxItem[];
    }
  | (InboxItem & { n?: undefined; items?: undefined });

function itemsOf(doc: InboxDoc): InboxItem[] {
  if (doc.items === undefined) return [doc];
  return typeof doc.items === 'string' ? (JSON.parse(doc.items) as InboxItem[]) : doc.items;
}

/** One quarter of an hour, summed (short names: a day document holds 96 of them). */
interface QuarterDoc {
  /** volume, negative, positive */
  v: number;
  n: number;
  p: number;
  /** the negatives' reach and shares */
  r: number;
  sh: number;
  /** every mention's sentiment score and audience, summed (absent from older documents: 0) */
  sc?: number;
  au?: number;
  /** some of the negatives' mention ids */
  ids: string[];
  /** negatives per author, per source and per text fingerprint (FerretDB v1 stores no nested arrays) */
  a: Pair[];
  s: Pair[];
  t: Pair[];
  /** negatives from authors (texts) beyond MAP_CAP distinct ones: each counts as one of its own */
  ax: number;
  tx: number;
  /** In a batch's change only: ids of negatives taken out (an edited mention), never stored. */
  rm?: string[];
}

interface SeriesDoc {
  _id: string;
  dim: Dimension;
  key: string;
  /** The UTC day the document covers. */
  day: Date;
  /** The last drain batch applied to it. */
  seq: number;
  /** Quarters of the day by index (0 = 00:00–00:15 UTC); quarters with nothing are absent. */
  q: Record<string, QuarterDoc>;
}

/** A key and its count. */
interface Pair {
  k: string;
  n: number;
}

/**
 * Every touchpoint's negatives by quarter of one UTC day, in one document: what the detector
 * reads of the other touchpoints (contagion), in one lookup a day however many there are.
 */
interface NegativesDoc {
  _id: string;
  day: Date;
  seq: number;
  q: Record<string, Pair[]>;
}

/**
 * One key's hours of one UTC month, summed: what trends read. Thirty days of every touchpoint,
 * with the thirty before, is a few of these, where it was 60 day documents a touchpoint (issue
 * 11: cold, those took up to half a second). The drain sets a touched day's hours from the day
 * document as it has just written it, so applying a batch twice changes nothing.
 */
interface HoursDoc {
  _id: string;
  dim: Dimension;
  key: string;
  /** Midnight UTC of the month's first day. */
  month: Date;
  seq: number;
  /** Hours since the month's start with data, each `HOUR_FIELDS` (volume, negatives, ...). */
  q: Record<string, number[]>;
}

type DayDoc = SeriesDoc | NegativesDoc | HoursDoc;

/**
 * A day document as the store holds it: its quarters as one JSON string, for the same reason as
 * the inbox (a day is read and rewritten by every drain that touches it). Older documents hold
 * them as nested documents; both are read.
 */
type Stored<T extends { q: unknown }> = Omit<T, 'q'> & { q: string | T['q'] };

function decodeDay<T extends DayDoc>(raw: Stored<T>): T {
  return (typeof raw.q === 'string' ? { ...raw, q: JSON.parse(raw.q) as T['q'] } : raw) as T;
}

function encodeDay<T extends DayDoc>(doc: T): Stored<T> {
  return { ...doc, q: JSON.stringify(doc.q) };
}

/** Which keys a dimension has, each with the start of its latest quarter with data (ms). */
interface KeysDoc {
  _id: string;
  keys: { k: string; t: number }[];
}

/** The drainer's own record: the last batch applied, and the batch being applied, if any. */
interface DrainStateDoc {
  _id: string;
  seq: number;
  /**
   * Every batch since the first has written the hours documents: a missing one means no data.
   * A store counted before they existed lacks it, and trends read its days where hours lack.
   */
  hours?: boolean;
  /** The batch being applied: its sequence number and the inbox documents it drains. */
  claim: { seq: number; ids: string[] } | null;
}

/** Evidence needs a few quotes, not every id of a viral quarter. */
const IDS_PER_QUARTER = 20;
/** Keeps a day document far below MongoDB's 16 MB however viral the day. */
const MAP_CAP = 1_000;
const DRAIN_STATE_ID = 'drain';
/** Drain batches whose change log is kept for the day caches (src/store/day-cache.ts). */
const CHANGES_KEPT = 200;
/** Reads by `_id` in flight at once: FerretDB serves each on a connection of its own. */
const PARALLEL_READS = 16;

const dayId = (dim: Dimension, key: string, day: number) => `${dim}|${key}|${utcDate(day)}`;
const keysId = (dim: Dimension) => `keys|${dim}`;
const changesId = (seq: number) => `changes|${seq}`;
const negativesId = (day: number) => `negatives|touchpoint|${utcDate(day)}`;
const hoursId = (dim: Dimension, key: string, month: number) =>
  `hours|${dim}|${key}|${utcDate(month).slice(0, 7)}`;

/** Midnight UTC of the first day of the month holding `t`. */
function utcMonthStart(t: number): number {
  const d = new Date(t);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

/** Midnight UTC of the first day of the month after the one starting at `month`. */
function nextUtcMonth(month: number): number {
  const d = new Date(month);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

/** The UTC months overlapping [from, to), by their first midnight, oldest first. */
function utcMonths(from: number, to: number): number[] {
  const out: number[] = [];
  for (let m = utcMonthStart(from); m < to; m = nextUtcMonth(m)) out.push(m);
  return out;
}

/** An hour's sums: volume, negatives, positives, the negatives' reach, scores, audience. */
const HOUR_FIELDS = 6;

/** Sets the hours of one day document into a month's hours (its own hours emptied first). */
function setDayHours(hours: Record<string, number[]>, month: number, day: SeriesDoc): void {
  const base = (day.day.getTime() - month) / HOUR_MS;
  for (let h = base; h < base + 24; h++) delete hours[h];
  for (const [i, q] of Object.entries(day.q)) {
    const h = base + Math.floor(Number(i) / 4);
    const s = (hours[h] ??= Array.from({ length: HOUR_FIELDS }, () => 0));
    s[0]! += q.v;
    s[1]! += q.n;
    s[2]! += q.p;
    s[3] = Math.round((s[3]! + q.r) * 1000) / 1000;
    s[4] = round4(s[4]! + (q.sc ?? 0));
    s[5]! += q.au ?? 0;
  }
}

function emptyQuarter(): QuarterDoc {
  return {
    v: 0,
    n: 0,
    p: 0,
    r: 0,
    sh: 0,
    sc: 0,
    au: 0,
    ids: [],
    a: [],
    s: [],
    t: [],
    ax: 0,
    tx: 0,
  };
}

/** Sums of scores stay exact enough at four decimals (and JSON stays short). */
const round4 = (x: number) => Math.round(x * 10_000) / 10_000;

/**
 * The cells one contribution counts in, each with the label and sentiment score it counts as. A
 * mention not about the brand counts only under the competitors it names.
 */
function cellsOf(c: Omit<Contribution, 'mentionId'>) {
  const overall = c.score ?? 0;
  type Cell = { dim: Dimension; key: string; label: Label; score: number };
  const brands = (c.brands ?? []).map((id): Cell => ({
    dim: 'brand',
    key: id,
    label: c.overall,
    score: overall,
  }));
  if (!c.relevant) return brands;
  const cells: Cell[] = [
    { dim: 'all', key: 'all', label: c.overall, score: overall },
    { dim: 'source', key: c.source, label: c.overall, score: overall },
    ...c.touchpoints.map((t): Cell => ({
      dim: 'touchpoint',
      key: t.id,
      label: t.label,
      score: t.score ?? overall,
    })),
    ...brands,
  ];
  // A stage is negative when any of its touchpoints is, positive when one is and none is
  // negative; its score is its touchpoints' mean.
  const stages = new Map<string, { label: Label; scores: number[] }>();
  for (const t of c.touchpoints) {
    const s = stages.get(t.stage) ?? { label: t.label, scores: [] };
    stages.set(t.stage, s);
    if (s.label !== 'negative' && (t.label !== 'neutral' || s.scores.length === 0))
      s.label = t.label;
    s.scores.push(t.score ?? overall);
  }
  for (const [stage, { label, scores }] of stages) {
    const score = round4(scores.reduce((a, b) => a + b, 0) / scores.length);
    cells.push({ dim: 'stage', key: stage, label, score });
  }
  return cells;
}

/**
 * Adds one (or, with `sign` -1, takes one from) `key` in a batch's capped list of pairs; false
 * when the key did not fit. A removal is always kept, so the merge can find its key.
 */
function addTo(pairs: Pair[], key: string, sign: 1 | -1 = 1): boolean {
  if (sign < 0) {
    const p = pairs.find((x) => x.k === key);
    if (p) p.n -= 1;
    else pairs.push({ k: key, n: -1 });
    return true;
  }
  return mergePairs(pairs, [{ k: key, n: 1 }]) === 0;
}

/**
 * Adds one contribution to a quarter. Quotes and text fingerprints serve the detector only, so
 * only touchpoints keep them: every drain rewrites each day document it touches, and the
 * overall, source and stage days are the largest.
 */
function addContribution(
  q: QuarterDoc,
  c: InboxItem,
  label: Label,
  dim: Dimension,
  /** -1 takes out what an edited mention counted before. */
  sign: 1 | -1 = 1,
  /** The sentiment score it counts with in this cell. */
  score = 0,
): void {
  q.v += sign;
  q.sc = round4((q.sc ?? 0) + sign * score);
  q.au = (q.au ?? 0) + sign * (c.audience ?? 0);
  if (label === 'positive') q.p += sign;
  if (label !== 'negative') return;
  q.n += sign;
  q.r = Math.round((q.r + sign * c.reach) * 1000) / 1000;
  q.sh += sign * c.shares;
  if (!addTo(q.a, `${c.source}:${c.author}`, sign)) q.ax += sign;
  addTo(q.s, c.source, sign);
  if (dim !== 'touchpoint') return;
  if (sign < 0) (q.rm ??= []).push(c._id);
  else if (q.ids.length < IDS_PER_QUARTER) q.ids.push(c._id);
  if (!addTo(q.t, c.textKey ?? c._id, sign)) q.tx += sign;
}

function mergeQuarter(into: QuarterDoc, q: QuarterDoc): void {
  // Never below zero: a store counted before edits were (a mention counted twice then) stays sane.
  const plus = (a: number, b: number) => Math.max(0, a + b);
  into.v = plus(into.v, q.v);
  into.n = plus(into.n, q.n);
  into.p = plus(into.p, q.p);
  into.r = Math.max(0, Math.round((into.r + q.r) * 1000) / 1000);
  into.sh = plus(into.sh, q.sh);
  // Scores are signed: a sum may be below zero.
  into.sc = round4((into.sc ?? 0) + (q.sc ?? 0));
  into.au = plus(into.au ?? 0, q.au ?? 0);
  if (q.rm?.length) {
    const gone = new Set(q.rm);
    into.ids = into.ids.filter((id) => !gone.has(id));
  }
  for (const id of q.ids) if (into.ids.length < IDS_PER_QUARTER) into.ids.push(id);
  into.ax = plus(into.ax, q.ax + mergePairs(into.a, q.a));
  mergePairs(into.s, q.s);
  into.tx = plus(into.tx, q.tx + mergePairs(into.t, q.t));
}

/**
 * Adds `add` into the capped list `into` (a negative count takes away, and a pair reaching zero
 * leaves the list); returns the count that did not fit, or was taken from no listed key.
 */
function mergePairs(into: Pair[], add: Pair[]): number {
  if (add.length === 0) return 0;
  const at = new Map(into.map((p, i) => [p.k, i]));
  let overflow = 0;
  let emptied = false;
  for (const { k, n } of add) {
    if (n === 0) continue;
    const i = at.get(k);
    if (i !== undefined) {
      into[i]!.n += n;
      if (into[i]!.n <= 0) emptied = true;
    } else if (n > 0 && into.length < MAP_CAP) at.set(k, into.push({ k, n }) - 1);
    else overflow += n;
  }
  if (emptied) {
    const kept = into.filter((p) => p.n > 0);
    into.splice(0, into.length, ...kept);
  }
  return overflow;
}

/** Runs `fn` on every item, at most `limit` at a time. */
async function eachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  const run = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, run));
}

/**
 * Applies batch `seq` to one stamped document, as read (`found`): skips it when it already holds
 * the batch (its drainer died after writing it), else merges and writes it back with the stamp.
 * Returns what it wrote.
 */
async function applyStamped<T extends DayDoc>(
  col: Collection<Stored<DayDoc>>,
  found: T | null,
  id: string,
  seq: number,
  fresh: () => T,
  merge: (doc: T) => void,
): Promise<Stored<T> | null> {
  if (found && found.seq >= seq) return null;
  const next = found ?? fresh();
  merge(next);
  next.seq = seq;
  const stored = encodeDay(next);
  await col.replaceOne({ _id: id }, stored, { upsert: true });
  return stored;
}

/**
 * A day document as the cache keeps it: its BSON bytes, a tenth of what it weighs as objects
 * (ids, authors and texts are many small strings), turned back into a fresh object at each use.
 */
interface PackedDay {
  seq: number;
  bson: Uint8Array;
}
const pack = (doc: Stored<DayDoc>): PackedDay => ({
  seq: doc.seq,
  bson: BSON.serialize(doc),
});
const unpack = (p: PackedDay) => decodeDay(BSON.deserialize(p.bson) as Stored<DayDoc>);

export function createCountsRepository(
  db: Db,
  opts: {
    /**
     * Keeps the days the detector reads in memory between reads, up to this many bytes of BSON;
     * 0 reads every time. For long-lived processes that detect.
     */
    cacheBytes?: number;
  } = {},
) {
  const inbox: Collection<InboxDoc> = db.collection<InboxDoc>('inbox');
  const keysCol = db.collection<KeysDoc>('series');
  const stateCol = db.collection<DrainStateDoc>('series');
  const storedDays = db.collection<Stored<DayDoc>>('series');
  /**
   * Each counted mention: the batch that counted it, its version, and what it counted (`c`, a
   * JSON string), so that an edit takes exactly that out; `prev`, what the batch that counted
   * this version took out (a drainer dying mid-batch must take it out of the rest too).
   */
  const ledger = db.collection<{
    _id: string;
    seq: number;
    v?: number;
    c?: string;
    prev?: string;
  }>('counted');
  const changesCol = db.collection<{ _id: string; ids: string[] }>('series');
  // The explorer's index, written by the drain in the batch that counts (its only writer).
  const postings = createPostingsRepository(db);
  const days = createDayCache<PackedDay>(
    {
      read: async (_id) => {
        const doc = await storedDays.findOne({ _id });
        return doc ? pack(doc) : null;
      },
      appliedSeq: async () => (await stateCol.findOne({ _id: DRAIN_STATE_ID }))?.seq ?? null,
      changes: async (seq) => (await changesCol.findOne({ _id: changesId(seq) }))?.ids ?? null,
    },
    {
      maxWeight: opts.cacheBytes ?? 0,
      weigh: (p) => p.bson.byteLength,
      stampOf: (p) => p.seq,
    },
  );
  /**
   * The documents a drain is about to rewrite, by `_id` (through the cache when there is one:
   * what it keeps changes only once the store holds the new version, see `written`).
   */
  async function loadForWrite(ids: string[]): Promise<Map<string, DayDoc>> {
    const found = await fetchDays(ids);
    return new Map(ids.flatMap((id, i) => (found[i] ? [[id, found[i]]] : [])));
  }
  const written = (id: string, stored: Stored<DayDoc> | null) => {
    if (stored && cached(id)) days.put(id, pack(stored));
  };
  /**
   * What the cache keeps: every day document, by recency. The detector reads its touchpoint's
   * days and the negatives of all on every run; trends, share of voice and the journey map read
   * the others (issue 11: p95 under 100 ms), and the drain rereads the days it writes.
   */
  const cached = (id: string) => Boolean(opts.cacheBytes) && DAY_ID.test(id);
  /**
   * Each cached day's quarters reduced to their sums, by the version (`seq`) they were taken
   * from: a trend rereads the same days, and decoding them was nearly all its time.
   */
  const daySums = new Map<string, { seq: number; sums: Float64Array }>();

  /**
   * Day documents by `_id`, in order, nulls for the missing ones: as the cache keeps them
   * (packed) where it does, decoded from the store otherwise.
   */
  async function readDays(
    ids: string[],
  ): Promise<({ packed: PackedDay } | { doc: DayDoc } | null)[]> {
    const fromCache = ids.filter(cached);
    const direct = ids.filter((id) => !cached(id));
    const [a, b] = await Promise.all([
      fromCache.length > 0 ? days.readMany(fromCache, PARALLEL_READS) : [],
      readEach(direct),
    ]);
    const found = new Map<string, { packed: PackedDay } | { doc: DayDoc } | null>();
    fromCache.forEach((id, i) => found.set(id, a[i] ? { packed: a[i] } : null));
    direct.forEach((id, i) => found.set(id, b[i] ? { doc: b[i] } : null));
    return ids.map((id) => found.get(id) ?? null);
  }

  /** Per-quarter sums of day documents (see `SUM_FIELDS`), in order, nulls for the missing. */
  async function fetchSums(ids: string[]): Promise<(Float64Array | null)[]> {
    const found = await readDays(ids);
    return found.map((r, i) => {
      if (!r) return null;
      if ('doc' in r) return sumsOf(r.doc as SeriesDoc);
      const id = ids[i]!;
      const memo = daySums.get(id);
      // Recently used last: the oldest are forgotten first.
      daySums.delete(id);
      if (memo && memo.seq === r.packed.seq) {
        daySums.set(id, memo);
        return memo.sums;
      }
      const sums = sumsOf(unpack(r.packed) as SeriesDoc);
      daySums.set(id, { seq: r.packed.seq, sums });
      for (const old of daySums.keys()) {
        if (daySums.size <= MAX_DAY_SUMS) break;
        daySums.delete(old);
      }
      return sums;
    });
  }

  /** Day documents by `_id`, in order, nulls for the missing ones. */
  async function fetchDays(ids: string[]): Promise<(DayDoc | null)[]> {
    const found = await readDays(ids);
    return found.map((r) => (r === null ? null : 'doc' in r ? r.doc : unpack(r.packed)));
  }
  // One drain at a time in this process; across processes, the count queue runs one job at a
  // time (see `enqueueCount`).
  let draining: Promise<unknown> = Promise.resolve();

  /**
   * What batch `seq` counts: its mentions not counted by an earlier batch, and, for a mention
   * counted before at a lower version (an edit), what that version counted, to take out. Each
   * mention enters the ledger once per version, stamped with the batch that counted it (a
   * batch finished after its drainer died finds its own stamps, and takes out what it took out).
   */
  async function toApply(
    seq: number,
    staged: InboxItem[],
  ): Promise<{ add: InboxItem[]; retract: InboxItem[] }> {
    // One item a mention: its latest version (the first of equals).
    const latest = new Map<string, InboxItem>();
    for (const c of staged) {
      const had = latest.get(c._id);
      if (!had || (c.version ?? 0) > (had.version ?? 0)) latest.set(c._id, c);
    }
    const batch = [...latest.values()];
    if (batch.length === 0) return { add: [], retract: [] };
    try {
      await ledger.insertMany(
        batch.map((c) => ({ _id: c._id, seq, v: c.version ?? 0, c: JSON.stringify(c) })),
        { ordered: false },
      );
      return { add: batch, retract: [] };
    } catch (err) {
      if (!isOnlyDuplicateKeys(err)) throw err;
      const seen = new Set(duplicateIndexes(err).map((i) => batch[i]!._id));
      const add = batch.filter((c) => !seen.has(c._id));
      const retract: InboxItem[] = [];
      await eachLimited(
        batch.filter((c) => seen.has(c._id)),
        PARALLEL_READS,
        async (c) => {
          const entry = await ledger.findOne({ _id: c._id });
          if (!entry) return;
          if (entry.seq === seq) {
            // This batch counted it before its drainer died: the same again, where missing.
            add.push(c);
            if (entry.prev) retract.push(JSON.parse(entry.prev) as InboxItem);
            return;
          }
          if ((c.version ?? 0) <= (entry.v ?? 0)) return; // counted already, or newer
          await ledger.replaceOne(
            { _id: c._id },
            {
              seq,
              v: c.version ?? 0,
              c: JSON.stringify(c),
              ...(entry.c ? { prev: entry.c } : {}),
            },
          );
          add.push(c);
          // Counted before the ledger kept contributions: what it counted is unknown, so the
          // edit is counted as the old version was (counts stay once, a little stale).
          if (entry.c) retract.push(JSON.parse(entry.c) as InboxItem);
          else add.pop();
        },
      );
      return { add, retract };
    }
  }

  /** Inbox documents, oldest first by arrival, until they hold `limit` items (at least one). */
  async function takeUpTo(limit: number): Promise<InboxDoc[]> {
    const docs: InboxDoc[] = [];
    let items = 0;
    const cursor = inbox.find({}).sort({ _id: 1 }).batchSize(16);
    try {
      for await (const doc of cursor) {
        docs.push(doc);
        items += doc.n ?? 1;
        if (items >= limit) break;
      }
    } finally {
      await cursor.close();
    }
    return docs;
  }

  /** Day documents by `_id`, the missing ones left out. */
  async function read(ids: string[]): Promise<DayDoc[]> {
    const found = await fetchDays(ids);
    return found.filter((d) => d !== null);
  }

  async function readEach(ids: string[]): Promise<(DayDoc | null)[]> {
    const out: (DayDoc | null)[] = [];
    await eachLimited([...ids.keys()], PARALLEL_READS, async (i) => {
      const raw = await storedDays.findOne({ _id: ids[i]! });
      out[i] = raw ? decodeDay(raw) : null;
    });
    return out;
  }

  /** Once true, true for good (see `DrainStateDoc.hours`). */
  let allHours = false;
  async function hoursComplete(): Promise<boolean> {
    allHours ||= (await stateCol.findOne({ _id: DRAIN_STATE_ID }))?.hours === true;
    return allHours;
  }

  async function keysOf(dim: Dimension): Promise<Map<string, number>> {
    const doc = await keysCol.findOne({ _id: keysId(dim) });
    return new Map((doc?.keys ?? []).map((e) => [e.k, e.t]));
  }

  async function applyBatch(seq: number, batch: InboxItem[], retract: InboxItem[] = []) {
    // Group the batch by day document, then by quarter.
    const touched = new Map<
      string,
      { dim: Dimension; key: string; day: number; q: Map<number, QuarterDoc> }
    >();
    const latest = new Map<Dimension, Map<string, number>>();
    const negatives = new Map<number, Map<number, Pair[]>>();
    const signed: [InboxItem, 1 | -1][] = [
      ...retract.map((c): [InboxItem, 1 | -1] => [c, -1]),
      ...batch.map((c): [InboxItem, 1 | -1] => [c, 1]),
    ];
    for (const [c, sign] of signed) {
      if (c.indexOnly) continue;
      if (!c.relevant && !c.brands?.length) continue;
      const at = new Date(c.publishedAt).getTime();
      const day = utcDayStart(at);
      const quarter = Math.floor((at - day) / QUARTER_MS);
      for (const cell of cellsOf(c)) {
        const id = dayId(cell.dim, cell.key, day);
        let d = touched.get(id);
        if (!d) touched.set(id, (d = { dim: cell.dim, key: cell.key, day, q: new Map() }));
        let q = d.q.get(quarter);
        if (!q) d.q.set(quarter, (q = emptyQuarter()));
        addContribution(q, c, cell.label, cell.dim, sign, cell.score);
        const byKey = latest.get(cell.dim) ?? new Map<string, number>();
        latest.set(cell.dim, byKey);
        byKey.set(cell.key, Math.max(byKey.get(cell.key) ?? 0, day + quarter * QUARTER_MS));
        if (cell.dim === 'touchpoint' && cell.label === 'negative') {
          const quarters = negatives.get(day) ?? new Map<number, Pair[]>();
          negatives.set(day, quarters);
          const pairs = quarters.get(quarter) ?? [];
          quarters.set(quarter, pairs);
          addTo(pairs, cell.key, sign);
        }
      }
    }
    // Each touched key's months of hours, with the days to set in them.
    const months = new Map<
      string,
      { dim: Dimension; key: string; month: number; days: string[] }
    >();
    for (const [id, d] of touched) {
      const month = utcMonthStart(d.day);
      const hid = hoursId(d.dim, d.key, month);
      const m = months.get(hid) ?? { dim: d.dim, key: d.key, month, days: [] };
      months.set(hid, m);
      m.days.push(id);
    }
    // The change log first: a cache that read a document this batch is about to write forgets
    // it when the batch's number comes.
    const ids = [...touched.keys(), ...[...negatives.keys()].map(negativesId), ...months.keys()];
    await changesCol.replaceOne({ _id: changesId(seq) }, { ids }, { upsert: true });
    const found = await loadForWrite(ids);
    /** The touched days as the store now holds them (with this batch). */
    const after = new Map<string, SeriesDoc>();
    await eachLimited([...touched.entries()], PARALLEL_READS, async ([id, d]) => {
      const had = (found.get(id) as SeriesDoc | undefined) ?? null;
      const wrote = await applyStamped<SeriesDoc>(
        storedDays,
        had,
        id,
        seq,
        () => ({ _id: id, dim: d.dim, key: d.key, day: new Date(d.day), seq, q: {} }),
        (doc) => {
          for (const [i, q] of d.q) {
            const into = doc.q[i] ?? emptyQuarter();
            mergeQuarter(into, q);
            doc.q[i] = into;
          }
          after.set(id, doc);
        },
      );
      if (!wrote && had) after.set(id, had);
      written(id, wrote);
    });
    // After the days: an hours document is set from them, so a drainer that dies in between
    // leaves nothing for the next one to count twice.
    await eachLimited([...months.entries()], PARALLEL_READS, async ([id, m]) => {
      const had = (found.get(id) as HoursDoc | undefined) ?? null;
      const doc: HoursDoc = had ?? {
        _id: id,
        dim: m.dim,
        key: m.key,
        month: new Date(m.month),
        seq,
        q: {},
      };
      if (!had) {
        // A month counted before hours were kept (or new): its other days, from the store.
        const others = utcDays(m.month, nextUtcMonth(m.month))
          .map((day) => dayId(m.dim, m.key, day))
          .filter((d) => !after.has(d));
        for (const day of await fetchDays(others))
          if (day) setDayHours(doc.q, m.month, day as SeriesDoc);
      }
      for (const day of m.days) setDayHours(doc.q, m.month, after.get(day)!);
      doc.seq = seq;
      const stored = encodeDay(doc);
      await storedDays.replaceOne({ _id: id }, stored, { upsert: true });
      written(id, stored);
    });
    for (const [day, quarters] of negatives) {
      const id = negativesId(day);
      const wrote = await applyStamped<NegativesDoc>(
        storedDays,
        (found.get(id) as NegativesDoc | undefined) ?? null,
        id,
        seq,
        () => ({ _id: id, day: new Date(day), seq, q: {} }),
        (doc) => {
          for (const [i, pairs] of quarters) {
            const into = doc.q[i] ?? [];
            mergePairs(into, pairs);
            doc.q[i] = into;
          }
        },
      );
      written(id, wrote);
    }
    // The latest quarter per key is a maximum: applying it twice changes nothing.
    for (const [dim, byKey] of latest) {
      const known = await keysOf(dim);
      let changed = false;
      for (const [key, t] of byKey) {
        if ((known.get(key) ?? -1) < t) {
          known.set(key, t);
          changed = true;
        }
      }
      if (changed)
        await keysCol.replaceOne(
          { _id: keysId(dim) },
          { keys: [...known].map(([k, t]) => ({ k, t })) },
          { upsert: true },
        );
    }
    return [...touched.values()].map((d) => ({ dim: d.dim, key: d.key }));
  }

  return {
    /**
     * Puts contributions in the inbox, as one document, to be counted by the next drain. A
     * contribution of a mention already counted, or staged twice, is dropped by the drain.
     */
    async stage(contributions: Contribution[]): Promise<void> {
      if (contributions.length === 0) return;
      const items = contributions.map(({ mentionId, ...rest }) => ({ _id: mentionId, ...rest }));
      await inbox.insertOne({
        _id: new ObjectId().toHexString(),
        n: items.length,
        items: JSON.stringify(items),
      });
    },

    /** Stages contributions and counts everything waiting, now (tools and tests). */
    async add(contributions: Contribution | Contribution[]): Promise<void> {
      await this.stage([contributions].flat());
      while ((await this.drain()).counted > 0);
    },

    /** How many contributions wait to be counted. */
    async pending(): Promise<number> {
      let n = 0;
      for await (const doc of inbox.find({}, { projection: { n: 1 } })) n += doc.n ?? 1;
      return n;
    },

    /**
     * Counts waiting contributions, whole inbox documents up to about `limit` of them, exactly
     * once (see the top of this file), and says which keys changed. Must not run in two
     * processes at once.
     */
    drain(limit = 5_000): Promise<{ counted: number; changed: { dim: Dimension; key: string }[] }> {
      const run = draining.then(async () => {
        const state = await stateCol.findOne({ _id: DRAIN_STATE_ID });
        // A store's first batch starts the hours documents with it (see `hours`).
        const hours = state ? state.hours === true : true;
        let seq: number;
        let docs: InboxDoc[];
        if (state?.claim) {
          // A drainer died during this batch: finish it, on the documents that lack it.
          seq = state.claim.seq;
          docs = (await Promise.all(state.claim.ids.map((_id) => inbox.findOne({ _id })))).filter(
            (d): d is InboxDoc => d !== null,
          );
        } else {
          docs = await takeUpTo(limit);
          if (docs.length === 0) return { counted: 0, changed: [] };
          seq = (state?.seq ?? 0) + 1;
          await stateCol.replaceOne(
            { _id: DRAIN_STATE_ID },
            { seq: state?.seq ?? 0, hours, claim: { seq, ids: docs.map((d) => d._id) } },
            { upsert: true },
          );
        }
        const batch = docs.flatMap(itemsOf);
        const { add, retract } = await toApply(
          seq,
          batch.filter((c) => c.indexOnly !== 'reindex'),
        );
        const changed = await applyBatch(seq, add, retract);
        const reindex = batch.filter((c) => c.indexOnly === 'reindex');
        await postings.apply(seq, { add: [...add, ...reindex], remove: retract });
        const ids = state?.claim?.ids ?? docs.map((d) => d._id);
        // One delete by `_id` per document: an `$in` would scan the whole inbox.
        await inbox.bulkWrite(
          ids.map((_id) => ({ deleteOne: { filter: { _id } } })),
          { ordered: false },
        );
        await stateCol.replaceOne(
          { _id: DRAIN_STATE_ID },
          { seq, hours, claim: null },
          { upsert: true },
        );
        await changesCol.deleteOne({ _id: changesId(seq - CHANGES_KEPT) });
        return { counted: batch.length, changed };
      });
      draining = run.catch(() => {});
      return run;
    },

    /**
     * Non-empty buckets of one dimension (all keys, or one) in [from, to), to the quarter of an
     * hour, oldest first; days are those of `timeZone` (UTC by default).
     */
    async range(q: {
      dim: Dimension;
      key?: string;
      size: BucketSize;
      from: Date;
      to: Date;
      timeZone?: string;
    }): Promise<Bucket[]> {
      const keys = q.key ? [q.key] : [...(await keysOf(q.dim)).keys()];
      const from = q.from.getTime();
      const to = q.to.getTime();
      const dayStarts = utcDays(from, to);
      const ids = keys.flatMap((key) => dayStarts.map((day) => dayId(q.dim, key, day)));
      const docs = (await read(ids)) as SeriesDoc[];
      const groups = new Map<string, { key: string; start: number; quarters: QuarterDoc[] }>();
      const startOf = bucketStartOf(q.size, q.timeZone);
      for (const doc of docs) {
        const day = doc.day.getTime();
        for (const [i, quarter] of Object.entries(doc.q)) {
          const at = day + Number(i) * QUARTER_MS;
          // Counts are kept by the quarter: a quarter that overlaps the range is in it whole.
          if (at + QUARTER_MS <= from || at >= to) continue;
          const start = startOf(at);
          const k = `${doc.key}\u0000${start}`;
          const group = groups.get(k);
          if (group) group.quarters.push(quarter);
          else groups.set(k, { key: doc.key, start, quarters: [quarter] });
        }
      }
      return [...groups.values()]
        .map((g) => toBucket(q.dim, g.key, q.size, new Date(g.start), g.quarters))
        .toSorted((a, b) => a.start.getTime() - b.start.getTime() || a.key.localeCompare(b.key));
    },

    /**
     * Every touchpoint's negatives per quarter of an hour in [from, to) (to the quarter), from
     * one document a day: what the detector needs of the others.
     */
    async touchpointNegatives(q: {
      from: Date;
      to: Date;
    }): Promise<{ key: string; start: Date; negative: number }[]> {
      const from = q.from.getTime();
      const to = q.to.getTime();
      const ids = utcDays(from, to).map(negativesId);
      const docs = (await read(ids)) as NegativesDoc[];
      const out: { key: string; start: Date; negative: number }[] = [];
      for (const doc of docs) {
        if (!doc) continue;
        for (const [i, pairs] of Object.entries(doc.q)) {
          const at = doc.day.getTime() + Number(i) * QUARTER_MS;
          if (at + QUARTER_MS <= from || at >= to) continue;
          for (const p of pairs) out.push({ key: p.k, start: new Date(at), negative: p.n });
        }
      }
      return out;
    },

    /**
     * Like `range`, the sums only (volume, negatives, positives, the negatives' reach, sentiment
     * and audience), one bucket per key and bucket start with data, oldest first: what trends
     * read. Hourly and daily buckets on the hour come from each key's months of hours (two or
     * three reads a key for 60 days); 15-minute buckets, and days of zones off the hour, from its
     * days, whose sums are kept in memory by their version where the days are cached.
     */
    async sums(q: {
      dim: Dimension;
      key?: string;
      size: BucketSize;
      from: Date;
      to: Date;
      timeZone?: string;
    }): Promise<BucketSums[]> {
      const keys = q.key ? [q.key] : [...(await keysOf(q.dim)).keys()];
      const from = q.from.getTime();
      const to = q.to.getTime();
      const startOf = bucketStartOf(q.size, q.timeZone);
      const groups = new Map<string, BucketSums>();
      const add = (key: string, at: number, s: ArrayLike<number>, o: number) => {
        const start = startOf(at);
        const k = `${key}\u0000${start}`;
        let g = groups.get(k);
        if (!g) {
          g = {
            key,
            start: new Date(start),
            volume: 0,
            negative: 0,
            positive: 0,
            negativeReach: 0,
            sentimentSum: 0,
            audience: 0,
          };
          groups.set(k, g);
        }
        g.volume += s[o]!;
        g.negative += s[o + 1]!;
        g.positive += s[o + 2]!;
        g.negativeReach = Math.round((g.negativeReach + s[o + 3]!) * 1000) / 1000;
        g.sentimentSum = round4(g.sentimentSum + s[o + 4]!);
        g.audience += s[o + 5]!;
      };
      // Day documents to read: all of them, or those of the months without hours.
      let toRead: { key: string; day: number }[] = [];
      if (hourly(q.size, from, to, startOf)) {
        const months = utcMonths(from, to);
        const ids = keys.flatMap((key) => months.map((m) => hoursId(q.dim, key, m)));
        const [found, complete] = await Promise.all([fetchDays(ids), hoursComplete()]);
        found.forEach((doc, j) => {
          const key = keys[Math.floor(j / months.length)]!;
          const month = months[j % months.length]!;
          if (!doc) {
            if (!complete)
              for (const day of utcDays(Math.max(from, month), Math.min(to, nextUtcMonth(month))))
                toRead.push({ key, day });
            return;
          }
          for (const [h, s] of Object.entries((doc as HoursDoc).q)) {
            const at = month + Number(h) * HOUR_MS;
            if (at >= from && at < to) add(key, at, s, 0);
          }
        });
      } else {
        toRead = keys.flatMap((key) => utcDays(from, to).map((day) => ({ key, day })));
      }
      const found = await fetchSums(toRead.map((d) => dayId(q.dim, d.key, d.day)));
      found.forEach((sums, j) => {
        if (!sums) return;
        const { key, day } = toRead[j]!;
        for (let o = 0; o < sums.length; o += SUM_FIELDS) {
          const at = day + sums[o]! * QUARTER_MS;
          // Counts are kept by the quarter: a quarter that overlaps the range is in it whole.
          if (at + QUARTER_MS <= from || at >= to) continue;
          add(key, at, sums, o + 1);
        }
      });
      return [...groups.values()].toSorted(
        (a, b) => a.start.getTime() - b.start.getTime() || a.key.localeCompare(b.key),
      );
    },

    /** The latest bucket with data for this key, if any (event time, not wall clock). */
    async latest(dim: Dimension, key: string, size: BucketSize): Promise<Date | null> {
      const t = (await keysOf(dim)).get(key);
      return t === undefined ? null : bucketStart(new Date(t), size);
    },
  };
}

/** Day documents the cache may keep (not the keys, the change log or the drain's state). */
const DAY_ID = /^(?:touchpoint|stage|source|all|brand|negatives|hours)\|/;
/** Days whose sums are kept: at most 5 KB each (96 quarters of 7 numbers), 20 MB in all. */
const MAX_DAY_SUMS = 4_000;
/** A day's sums: per quarter with data, its index, volume, negatives, positives, reach, score, audience. */
const SUM_FIELDS = 7;

/**
 * Whether buckets of `size` over [from, to) can be read from whole hours: [from, to) and every
 * bucket start on the hour (zones a half or quarter hour off UTC read quarters instead).
 */
function hourly(size: BucketSize, from: number, to: number, startOf: (t: number) => number) {
  if (size === '15m' || from % HOUR_MS !== 0 || to % HOUR_MS !== 0) return false;
  for (let at = from; at < to; at += HOUR_MS) {
    const start = startOf(at);
    if (start % HOUR_MS !== 0 || startOf(at + HOUR_MS - 1) !== start) return false;
  }
  return true;
}

function sumsOf(doc: SeriesDoc): Float64Array {
  const entries = Object.entries(doc.q);
  const out = new Float64Array(entries.length * SUM_FIELDS);
  entries.forEach(([i, q], j) => {
    out.set([Number(i), q.v, q.n, q.p, q.r, q.sc ?? 0, q.au ?? 0], j * SUM_FIELDS);
  });
  return out;
}

/**
 * Stored quarters summed as `mergeQuarter` would, one after the other (the same caps, in the
 * same order), but with each list of pairs kept in a map while summing: a day of the overall
 * counts is 96 quarters of hundreds of authors, and merging them list into list cost most of a
 * trend's time.
 */
function sumQuarters(quarters: readonly QuarterDoc[]): QuarterDoc {
  const sum = emptyQuarter();
  const maps = {
    a: new Map<string, number>(),
    s: new Map<string, number>(),
    t: new Map<string, number>(),
  };
  /** Adds stored pairs into a capped map; returns what did not fit (as `mergePairs`). */
  const into = (m: Map<string, number>, pairs: readonly Pair[]): number => {
    let overflow = 0;
    for (const { k, n } of pairs) {
      if (n <= 0) continue;
      const had = m.get(k);
      if (had !== undefined) m.set(k, had + n);
      else if (m.size < MAP_CAP) m.set(k, n);
      else overflow += n;
    }
    return overflow;
  };
  for (const q of quarters) {
    sum.v += q.v;
    sum.n += q.n;
    sum.p += q.p;
    sum.r = Math.max(0, Math.round((sum.r + q.r) * 1000) / 1000);
    sum.sh += q.sh;
    sum.sc = round4((sum.sc ?? 0) + (q.sc ?? 0));
    sum.au = (sum.au ?? 0) + (q.au ?? 0);
    for (const id of q.ids) if (sum.ids.length < IDS_PER_QUARTER) sum.ids.push(id);
    sum.ax += q.ax + into(maps.a, q.a);
    into(maps.s, q.s);
    sum.tx += q.tx + into(maps.t, q.t);
  }
  const pairs = (m: Map<string, number>) => [...m].map(([k, n]) => ({ k, n }));
  return { ...sum, a: pairs(maps.a), s: pairs(maps.s), t: pairs(maps.t) };
}

function toBucket(
  dim: Dimension,
  key: string,
  size: BucketSize,
  start: Date,
  quarters: QuarterDoc[],
): Bucket {
  // A quarter read from the store is already fresh: only longer buckets need a sum.
  const sum: QuarterDoc =
    quarters.length === 1 ? { ...emptyQuarter(), ...quarters[0] } : sumQuarters(quarters);
  return {
    dim,
    key,
    size,
    start,
    volume: sum.v,
    negative: sum.n,
    positive: sum.p,
    negativeAuthors: sum.a.length + sum.ax,
    negativeSources: sum.s.length,
    topAuthorNegative: Math.max(0, ...sum.a.map((p) => p.n)),
    negativeReach: sum.r,
    negativeShares: sum.sh,
    sentimentSum: sum.sc ?? 0,
    audience: sum.au ?? 0,
    negativeIds: sum.ids,
    negativeByAuthor: Object.fromEntries(sum.a.map((p) => [p.k, p.n])),
    negativeBySource: Object.fromEntries(sum.s.map((p) => [p.k, p.n])),
    negativeByText: Object.fromEntries(sum.t.map((p) => [p.k, p.n])),
  };
}
