/**
 * The mention explorer's inverted index, kept by us as documents read and written by `_id` only:
 * the bundled FerretDB v1 runs nothing else in SQL (issue 9), has no `$text`, and scans the whole
 * collection for any other filter or sort. The same documents serve a real MongoDB unchanged.
 *
 * What a key is (search terms, facets) is src/analysis/search-terms.ts's business; here a key is
 * an opaque string without spaces, and a mention is an entry under some of them.
 *
 * Documents of the `postings` collection, all keyed by UTC day or month:
 * - `d|<day>|<key>`: a facet's entries of one day (`*`, `src:reddit`, `tp:delivery:negative`...):
 *   what a filtered page reads, one small document a key and day.
 * - `d|<day>|#<shard>`: the entries of one day of every search term and author hashing to the
 *   shard, as one JSON string: a batch rewrites at most `shards` of them a day (see `layout`),
 *   however many words it holds.
 * - `m|<month>|#<shard>`: for every key but authors, the days of the month it has entries on: a
 *   rare word is found in a year by reading a dozen of these, then only its days.
 * - `months`: the months that have entries.
 * - `layout`: how many term shards a day has in this store (`shards`); absent in a store indexed
 *   before it was kept, which has 32.
 * An entry is 22 characters: the milliseconds since its day's start (5) and the mention id (16),
 * both in a base 64 that sorts as the numbers do, and its relevance (`1`, or `0` when the watch
 * query excluded it); a key's entries are one string, sorted, so by (publishedAt, id). Strings,
 * not arrays of documents: nested documents are what FerretDB spends its CPU on.
 *
 * Written only by the count drain (`apply`, from src/store/counts-repository.ts), which is the one
 * writer there is, in the batch that counts the mentions: exactly once, by construction (an entry
 * is added by replacing any entry of the same mention under that key, and removed by id, so a
 * batch applied twice by a drainer that died midway gives the same documents). An edit, and later
 * a correction, reaches the index as the counts see it: the ledger's previous contribution (its
 * keys) is taken out, the new one put in.
 */
import type { Collection, Db } from 'mongodb';
import { DAY_MS, utcDate, utcDayStart } from '../domain/calendar.js';

/**
 * Shards of a day's search terms and authors, in a new store. The bundled server's CPU for a read
 * by `_id` grows with the document: at a million mentions a year (2,740 a day), 0.7 ms for 4 KB,
 * 1.7 for 25 KB, 2.5 for 44 KB (`postings` of bench:api's store). With 32 shards a term's day
 * was a read of 25 to 44 KB; with 128, about 7. A drain writes up to this many documents for each
 * day it touches, and each costs a little (see the README's figures).
 */
export const TERM_SHARDS = 128;
/** What a store indexed before the layout was kept has. */
const FIRST_TERM_SHARDS = 32;
/** Shards of a month's summary of days a key has entries on (a few KB each). */
export const MONTH_SHARDS = 16;
/** Reads or writes by `_id` in flight at once (FerretDB serves each on a connection of its own). */
const PARALLEL = 16;
/** Days whose documents are read ahead of the one being walked. */
const DAYS_AHEAD = 4;
/**
 * Base 64 in an alphabet in ASCII order: encoded strings sort as the numbers do, and JSON carries
 * them unescaped.
 */
const DIGITS = '-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz';
const VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < DIGITS.length; i++) VALUE[DIGITS.charCodeAt(i)] = i;
/** Milliseconds since the day's start (< 64^5). */
const T_WIDTH = 5;
/** A mention id: 12 bytes, 24 hex digits, 16 of these. */
const ID_WIDTH = 16;
const ENTRY = T_WIDTH + ID_WIDTH + 1;
const HEX_ID = /^[0-9a-f]{24}$/;

function encodeT(n: number): string {
  let out = '';
  for (let i = 0; i < T_WIDTH; i++) {
    out = DIGITS[n % 64]! + out;
    n = Math.floor(n / 64);
  }
  return out;
}

function decodeT(s: string): number {
  let n = 0;
  for (let i = 0; i < T_WIDTH; i++) n = n * 64 + VALUE[s.charCodeAt(i)]!;
  return n;
}

/** 24 hex digits → 16 (three hex digits are two of ours). */
export function encodeId(hex: string): string {
  let out = '';
  for (let i = 0; i < 24; i += 3) {
    const v = Number.parseInt(hex.slice(i, i + 3), 16);
    out += DIGITS[v >> 6]! + DIGITS[v & 63]!;
  }
  return out;
}

export function decodeId(s: string): string {
  let out = '';
  for (let i = 0; i < ID_WIDTH; i += 2) {
    const v = VALUE[s.charCodeAt(i)]! * 64 + VALUE[s.charCodeAt(i + 1)]!;
    out += v.toString(16).padStart(3, '0');
  }
  return out;
}
const MONTHS_ID = 'months';
const LAYOUT_ID = 'layout';

/** What the index reads of a contribution: its mention, when, relevance and keys. */
export interface IndexItem {
  /** The mention id (hex). */
  _id: string;
  publishedAt: Date | string;
  relevant: boolean;
  /** The mention's index keys, separated by spaces (absent: not indexed). */
  ix?: string;
}

/** An entry as the walk yields it. */
export interface IndexEntry {
  /** publishedAt, ms. */
  t: number;
  id: string;
}

/** See src/analysis/search-terms.ts `PostingsPlan`. */
export interface WalkPlan {
  all: readonly (readonly string[])[];
  none: readonly string[];
  relevant: boolean | 'all';
}

export interface WalkOptions {
  order: 'newest' | 'oldest';
  /** Published at or after. */
  since?: number;
  /** Published before. */
  until?: number;
  /**
   * Start after this entry, in walk order (a cursor); an empty `id` is a boundary: newest first,
   * what was published before `t`; oldest first, at or after `t`.
   */
  after?: IndexEntry;
  /** Day documents read at most; then the walk stops with a `budget` step. @default 120 */
  maxReads?: number;
}

export type WalkStep =
  | { kind: 'entries'; entries: IndexEntry[] }
  /** Out of budget: everything on the walk's side of `boundary` (ms) was walked. */
  | { kind: 'budget'; boundary: number };

type PostingsDoc = { _id: string; e?: string; p?: string; m?: string; shards?: number };

/**
 * A key's shard (FNV-1a). A search term's languages share it (`t:fr:command` and `t:en:command`
 * hash as `command`): a word is looked up under both, in one read.
 */
function shardOf(key: string, shards: number): number {
  const from = key.startsWith('t:') ? key.indexOf(':', 2) + 1 : 0;
  let h = 0x811c9dc5;
  for (let i = from; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % shards;
}

/** Search terms and authors share documents; each facet has its own. */
const isSharded = (key: string) => key.startsWith('t:') || key.startsWith('author:');
/** Authors are many and rarely asked for: no month summary (an author alone walks every day). */
const isSummarized = (key: string) => !key.startsWith('author:');

const monthOf = (day: number) => utcDate(day).slice(0, 7);
const dayDocId = (day: number, key: string, shards: number) =>
  isSharded(key) ? `d|${utcDate(day)}|#${shardOf(key, shards)}` : `d|${utcDate(day)}|${key}`;
const monthDocId = (month: string, key: string) => `m|${month}|#${shardOf(key, MONTH_SHARDS)}`;
/** A day of its month, as one character ('0' is the 1st). */
const dayChar = (day: number) => (new Date(day).getUTCDate() - 1).toString(36);

/** `id`: encoded (`encodeId`). */
function encodeEntry(t: number, id: string, relevant: boolean): string {
  return `${encodeT(t - utcDayStart(t))}${id}${relevant ? '1' : '0'}`;
}

/**
 * The entries of a packed list without those of the ids in `drop` or `add`, with `add`'s, sorted.
 * (Entries arrive mostly in time order: the sort has little to do.)
 */
function rewrite(packed: string, drop: ReadonlySet<string>, add: ReadonlyMap<string, string>) {
  const kept: string[] = [];
  for (let i = 0; i + ENTRY <= packed.length; i += ENTRY) {
    const e = packed.slice(i, i + ENTRY);
    const id = e.slice(T_WIDTH, T_WIDTH + ID_WIDTH);
    if (!drop.has(id) && !add.has(id)) kept.push(e);
  }
  for (const e of add.values()) kept.push(e);
  return kept.toSorted().join('');
}

/** The changes of one key on one day: ids taken out, entries put in (replacing theirs, by id). */
interface KeyChange {
  drop: Set<string>;
  add: Map<string, string>;
}

async function eachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  const run = async () => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, run));
}

export type PostingsRepository = ReturnType<typeof createPostingsRepository>;

export function createPostingsRepository(
  db: Db,
  opts: {
    /** The writer keeps the documents it wrote, up to this many characters. @default 16M */
    cacheChars?: number;
    /** Term shards of a day in a store indexed from now on. @default TERM_SHARDS */
    newStoreShards?: number;
  } = {},
) {
  const col: Collection<PostingsDoc> = db.collection<PostingsDoc>('postings');
  const cacheChars = opts.cacheChars ?? 16 * 2 ** 20;

  // ----- the writer's cache -----------------------------------------------------------------
  // The drain is the only writer and runs one batch at a time, numbered: when this process
  // applied the batch before this one, nobody else wrote in between, and what it wrote is what
  // the store holds (a batch re-applied after a drainer died gives the same documents).
  const cache = new Map<string, string | null>();
  let cached = 0;
  let lastSeq: number | null = null;

  function remember(id: string, payload: string | null) {
    const had = cache.get(id);
    if (had !== undefined) {
      cached -= had?.length ?? 0;
      cache.delete(id);
    }
    cache.set(id, payload);
    cached += payload?.length ?? 0;
    for (const [k, v] of cache) {
      if (cached <= cacheChars) break;
      cache.delete(k);
      cached -= v?.length ?? 0;
    }
  }

  /** A document's payload (`e`, `p` or `m`), from the cache or the store; null when absent. */
  async function payloadForWrite(id: string): Promise<string | null> {
    const hit = cache.get(id);
    if (hit !== undefined) return hit;
    const doc = await col.findOne({ _id: id });
    return doc?.e ?? doc?.p ?? doc?.m ?? null;
  }

  async function write(id: string, field: 'e' | 'p' | 'm', payload: string | null) {
    if (payload === null) await col.deleteOne({ _id: id });
    else await col.replaceOne({ _id: id }, { [field]: payload }, { upsert: true });
    remember(id, payload);
  }

  // ----- the layout ------------------------------------------------------------------------
  // Kept once found: a store's layout never changes.
  let layout: number | undefined;
  /**
   * The store's term shards: its `layout`; without one, 32 if the index has entries (indexed
   * before the layout was kept), else `TERM_SHARDS` (the writer records it with its first batch).
   */
  async function termShards(): Promise<number> {
    if (layout !== undefined) return layout;
    const [doc, months] = await Promise.all([
      col.findOne({ _id: LAYOUT_ID }),
      col.findOne({ _id: MONTHS_ID }, { projection: { _id: 1 } }),
    ]);
    if (doc?.shards) return (layout = doc.shards);
    return months ? FIRST_TERM_SHARDS : (opts.newStoreShards ?? TERM_SHARDS);
  }

  // ----- the reader ------------------------------------------------------------------------
  async function readMany(ids: readonly string[]): Promise<Map<string, PostingsDoc | null>> {
    const out = new Map<string, PostingsDoc | null>();
    await eachLimited(ids, PARALLEL, async (id) => {
      out.set(id, await col.findOne({ _id: id }));
    });
    return out;
  }

  return {
    /**
     * Applies one drain batch to the index: `remove` takes each mention out of its keys (the
     * ledger's previous contribution of an edited mention), `add` puts each in under its keys
     * (replacing any entry it had there). Items without keys, or with an id that is not a
     * mention's, are left out. Idempotent; called only by the drain, batch `seq` after `seq - 1`.
     */
    async apply(
      seq: number,
      changes: { add: readonly IndexItem[]; remove: readonly IndexItem[] },
    ): Promise<void> {
      if (lastSeq !== seq && lastSeq !== seq - 1) {
        cache.clear();
        cached = 0;
      }
      lastSeq = seq;
      let shards = layout;
      if (shards === undefined) {
        shards = await termShards();
        // Recorded by the one writer, so that readers need not guess from then on.
        await col.replaceOne({ _id: LAYOUT_ID }, { shards }, { upsert: true });
        layout = shards;
      }
      // Grouped by key, then day: a key's documents are named once, not once a mention.
      const byKey = new Map<string, Map<number, KeyChange>>();
      const change = (key: string, day: number): KeyChange => {
        let perDay = byKey.get(key);
        if (!perDay) byKey.set(key, (perDay = new Map()));
        let c = perDay.get(day);
        if (!c) perDay.set(day, (c = { drop: new Set(), add: new Map() }));
        return c;
      };
      const keysOf = (item: IndexItem) =>
        item.ix && HEX_ID.test(item._id) ? item.ix.split(' ') : [];
      for (const item of changes.remove) {
        const t = new Date(item.publishedAt).getTime();
        if (!Number.isFinite(t)) continue;
        const day = utcDayStart(t);
        const keys = keysOf(item);
        if (keys.length === 0) continue;
        const id = encodeId(item._id);
        for (const key of keys) if (key) change(key, day).drop.add(id);
      }
      for (const item of changes.add) {
        const t = new Date(item.publishedAt).getTime();
        if (!Number.isFinite(t)) continue;
        const day = utcDayStart(t);
        const keys = keysOf(item);
        if (keys.length === 0) continue;
        const id = encodeId(item._id);
        const entry = encodeEntry(t, id, item.relevant);
        for (const key of keys) if (key) change(key, day).add.set(id, entry);
      }
      const dates = new Map<number, string>();
      const dateOf = (day: number) => {
        let d = dates.get(day);
        if (d === undefined) dates.set(day, (d = utcDate(day)));
        return d;
      };
      const days = new Map<string, Map<string, KeyChange>>();
      const months = new Map<string, Map<string, Set<string>>>();
      const monthNames = new Set<string>();
      for (const [key, perDay] of byKey) {
        const sharded = isSharded(key);
        const shard = sharded ? `#${shardOf(key, shards)}` : key;
        const summarized = isSummarized(key);
        const monthShard = summarized ? `#${shardOf(key, MONTH_SHARDS)}` : '';
        for (const [day, c] of perDay) {
          const date = dateOf(day);
          const docId = `d|${date}|${shard}`;
          let keys = days.get(docId);
          if (!keys) days.set(docId, (keys = new Map()));
          keys.set(key, c);
          if (!summarized || c.add.size === 0) continue;
          const month = date.slice(0, 7);
          monthNames.add(month);
          const monthId = `m|${month}|${monthShard}`;
          let m = months.get(monthId);
          if (!m) months.set(monthId, (m = new Map()));
          let set = m.get(key);
          if (!set) m.set(key, (set = new Set()));
          set.add(dayChar(day));
        }
      }

      await eachLimited([...days], PARALLEL, async ([docId, keys]) => {
        const before = await payloadForWrite(docId);
        const [key] = keys.keys();
        if (keys.size === 1 && key !== undefined && !isSharded(key)) {
          const c = keys.get(key) as KeyChange;
          const next = rewrite(before ?? '', c.drop, c.add);
          if (next !== (before ?? '')) await write(docId, 'e', next || null);
          else remember(docId, before);
          return;
        }
        const lists = before ? (JSON.parse(before) as Record<string, string>) : {};
        let changed = false;
        for (const [k, c] of keys) {
          const was = lists[k] ?? '';
          const next = rewrite(was, c.drop, c.add);
          if (next === was) continue;
          changed = true;
          if (next) lists[k] = next;
          else delete lists[k];
        }
        if (!changed) return remember(docId, before);
        const payload = Object.keys(lists).length > 0 ? JSON.stringify(lists) : null;
        await write(docId, 'p', payload);
      });

      // Summaries only grow: a day a key no longer has costs a read that finds nothing.
      await eachLimited([...months], PARALLEL, async ([docId, keys]) => {
        const before = await payloadForWrite(docId);
        const summary = before ? (JSON.parse(before) as Record<string, string>) : {};
        let changed = false;
        for (const [k, set] of keys) {
          const was = summary[k] ?? '';
          for (const ch of was) set.add(ch);
          const next = [...set].toSorted().join('');
          if (next !== was) {
            summary[k] = next;
            changed = true;
          }
        }
        if (changed) await write(docId, 'm', JSON.stringify(summary));
        else remember(docId, before);
      });

      if (monthNames.size > 0) {
        const before = await payloadForWrite(MONTHS_ID);
        const known = new Set(before ? (JSON.parse(before) as string[]) : []);
        const size = known.size;
        for (const m of monthNames) known.add(m);
        if (known.size !== size) await write(MONTHS_ID, 'm', JSON.stringify([...known].toSorted()));
        else remember(MONTHS_ID, before);
      }
    },

    /**
     * Walks the index in publication order from the cursor (`after`) within [since, until),
     * yielding each day's matching entries in that order, and stops after reading `maxReads`
     * day documents with a `budget` step (a rare combination over years is continued by the next
     * request). Only `_id` lookups.
     */
    async *walk(plan: WalkPlan, o: WalkOptions): AsyncGenerator<WalkStep> {
      const newest = o.order === 'newest';
      const maxReads = o.maxReads ?? 120;
      let lo = o.since ?? -Infinity;
      let hi = o.until ?? Infinity;
      if (o.after) {
        // An empty id stands before every mention of its instant (a boundary).
        if (newest) hi = Math.min(hi, o.after.t + (o.after.id === '' ? 0 : 1));
        else lo = Math.max(lo, o.after.t);
      }
      if (!(lo < hi)) return;
      const inRange = (e: IndexEntry) => {
        if (e.t < lo || e.t >= hi) return false;
        const a = o.after;
        if (!a || e.t !== a.t) return true;
        return newest ? e.id < a.id : e.id > a.id;
      };

      const [monthsDoc, shards] = await Promise.all([
        col.findOne({ _id: MONTHS_ID }),
        termShards(),
      ]);
      const firstDay = lo === -Infinity ? -Infinity : utcDayStart(lo);
      const lastDay = hi === Infinity ? Infinity : utcDayStart(hi - 1);
      let months = (monthsDoc?.m ? (JSON.parse(monthsDoc.m) as string[]) : []).filter(
        (m) =>
          m >= (firstDay === -Infinity ? '' : monthOf(firstDay)) &&
          m <= (lastDay === Infinity ? '~' : monthOf(lastDay)),
      );
      if (newest) months = months.toReversed();

      // Days are chosen by the clauses that have summaries; with none (authors alone), by `*`.
      const chooser = plan.all.filter((c) => c.every(isSummarized));
      const choosers = chooser.length > 0 ? chooser : [['*']];
      const flag = plan.relevant === 'all' ? null : plan.relevant ? '1' : '0';
      let reads = 0;

      // A month's summaries are read while the month before it is walked.
      const summariesOf = (month: string | undefined) => {
        if (month === undefined) return undefined;
        const p = readMany([...new Set(choosers.flat().map((k) => monthDocId(month, k)))]);
        // Read ahead: a walk left before it gets there must not leave a rejection unhandled.
        p.catch(() => {});
        return p;
      };
      let nextSummaries = summariesOf(months[0]);
      for (const [m, month] of months.entries()) {
        const summaries = (await nextSummaries) as Map<string, PostingsDoc | null>;
        nextSummaries = summariesOf(months[m + 1]);
        const daysOf = (key: string): Set<string> => {
          const doc = summaries.get(monthDocId(month, key));
          const s = doc?.m ? (JSON.parse(doc.m) as Record<string, string>)[key] : undefined;
          return new Set(s ?? '');
        };
        let chars: string[] | null = null;
        const keyDays = new Map<string, Set<string>>();
        for (const clause of choosers) {
          const union = new Set<string>();
          for (const k of clause) {
            const d = daysOf(k);
            keyDays.set(k, d);
            for (const ch of d) union.add(ch);
          }
          chars = chars === null ? [...union] : chars.filter((ch) => union.has(ch));
        }
        const monthStart = Date.parse(`${month}-01T00:00:00Z`);
        let days = (chars ?? [])
          .map((ch) => monthStart + Number.parseInt(ch, 36) * DAY_MS)
          .filter((d) => d >= firstDay && d <= lastDay)
          .toSorted((a, b) => a - b);
        if (newest) days = days.toReversed();

        // The documents of a day: each key's, where its summary says it has entries.
        const docsOf = (day: number) => {
          const ch = dayChar(day);
          const ids = new Set<string>();
          for (const clause of plan.all)
            for (const k of clause) {
              const d = keyDays.get(k);
              if (!d || d.has(ch)) ids.add(dayDocId(day, k, shards));
            }
          for (const k of plan.none) ids.add(dayDocId(day, k, shards));
          return [...ids];
        };
        const pending = new Map<number, Promise<Map<string, PostingsDoc | null>>>();
        const fetchDay = (i: number) => {
          const day = days[i];
          if (day === undefined || pending.has(i)) return;
          const p = readMany(docsOf(day));
          p.catch(() => {});
          pending.set(i, p);
        };
        for (let i = 0; i < days.length; i++) {
          for (let j = i; j < Math.min(days.length, i + DAYS_AHEAD); j++) fetchDay(j);
          const day = days[i] as number;
          const docs = await (pending.get(i) as Promise<Map<string, PostingsDoc | null>>);
          pending.delete(i);
          reads += docs.size;
          const entries = evaluate(plan, day, docs, flag, shards).filter(inRange);
          if (newest) entries.reverse();
          if (entries.length > 0) yield { kind: 'entries', entries };
          const more = i + 1 < days.length || month !== months[months.length - 1];
          if (reads >= maxReads && more) {
            yield { kind: 'budget', boundary: newest ? day : day + DAY_MS };
            return;
          }
        }
      }
    },
  };
}

/** One day's entries that match the plan, ascending. */
function evaluate(
  plan: WalkPlan,
  day: number,
  docs: Map<string, PostingsDoc | null>,
  flag: string | null,
  shards: number,
): IndexEntry[] {
  const parsed = new Map<string, Record<string, string>>();
  const listOf = (key: string): string => {
    const doc = docs.get(dayDocId(day, key, shards));
    if (!doc) return '';
    if (!isSharded(key)) return doc.e ?? '';
    let lists = parsed.get(doc._id);
    if (!lists)
      parsed.set(doc._id, (lists = doc.p ? (JSON.parse(doc.p) as Record<string, string>) : {}));
    return lists[key] ?? '';
  };
  // Each clause: its keys' entries by id (a mention's entry is the same under every key).
  const clauses = plan.all.map((clause) => {
    const byId = new Map<string, string>();
    for (const k of clause) {
      const packed = listOf(k);
      for (let i = 0; i + ENTRY <= packed.length; i += ENTRY) {
        const e = packed.slice(i, i + ENTRY);
        if (flag !== null && e[ENTRY - 1] !== flag) continue;
        byId.set(e.slice(T_WIDTH, T_WIDTH + ID_WIDTH), e);
      }
    }
    return byId;
  });
  clauses.sort((a, b) => a.size - b.size);
  const [first, ...rest] = clauses;
  if (!first || first.size === 0) return [];
  const excluded = new Set<string>();
  for (const k of plan.none) {
    const packed = listOf(k);
    for (let i = 0; i + ENTRY <= packed.length; i += ENTRY)
      excluded.add(packed.slice(i + T_WIDTH, i + T_WIDTH + ID_WIDTH));
  }
  const out: string[] = [];
  for (const [id, e] of first) {
    if (excluded.has(id)) continue;
    if (rest.every((c) => c.has(id))) out.push(e);
  }
  return out.toSorted().map((e) => ({
    t: day + decodeT(e),
    id: decodeId(e.slice(T_WIDTH, T_WIDTH + ID_WIDTH)),
  }));
}
