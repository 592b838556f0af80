/**
 * Managing sources: list them with how they are doing, add, change, pause or remove one, and try
 * one (fetch once, show what would be stored, store nothing). Sources of sources.yaml are listed
 * and can be paused here; the rest of their settings is the file's. Secrets are write-only:
 * accepted in a request, never returned (each is shown as "set").
 */
import { z } from 'zod';
import { sourceIdSchema } from '../../domain/vocabulary.js';
import { NotFoundError } from '../../errors.js';
import { mentionsFromDrafts } from '../../ingest/from-drafts.js';
import { adapterOf, settingsOf, type SourceConfig } from '../../sources/index.js';
import { redactUrl } from '../../sources/_http.js';
import { createTokenStore } from '../../sources/_types.js';
import type { SourceState } from '../../store/sources-repository.js';
import type { HandlerResult } from '../errors.js';
import { parseInput, type ApiDeps, type ApiRequest } from './_deps.js';

const idParams = z.object({ id: sourceIdSchema }).strict();
const DAY_MS = 86_400_000;
/** A source's test fetch gives up after this long (the request waits for it). */
const TEST_TIMEOUT_MS = 20_000;
/** Tokens of test fetches: kept apart from the pollers', and short-lived anyway. */
const testTokens = createTokenStore();

/** A source as the API shows it: settings, what it reads, its state, never a secret. */
function present(s: SourceConfig, state: SourceState | undefined, now: Date) {
  const { secrets, secretsFrom: _f, ...raw } = s;
  // A feed URL may carry its own credentials (user:password, a token in the query).
  const settings = Object.fromEntries(
    Object.entries(raw).map(([k, v]) => [
      k,
      typeof v === 'string' && /^https?:\/\//i.test(v) ? redactUrl(v) : v,
    ]),
  );
  const recent = (state?.recent ?? []).filter((r) => r.at.getTime() > now.getTime() - DAY_MS);
  const backoffUntil =
    state?.backoffUntil && state.backoffUntil > now ? state.backoffUntil : undefined;
  return {
    ...settings,
    target: adapterOf(s.kind).target(s),
    origin: state?.origin ?? 'file',
    secrets: Object.fromEntries(Object.keys(secrets).map((k) => [k, 'set'])),
    status: !s.enabled
      ? 'paused'
      : backoffUntil
        ? 'backing-off'
        : (state?.consecutiveFailures ?? 0) > 0
          ? 'failing'
          : state?.lastSuccessAt
            ? 'ok'
            : 'waiting',
    state: {
      cursor: state?.cursor ?? {},
      lastPolledAt: state?.lastPolledAt ?? null,
      lastSuccessAt: state?.lastSuccessAt ?? null,
      lastError: state?.lastError ?? null,
      consecutiveFailures: state?.consecutiveFailures ?? 0,
      failingSince: state?.failingSince ?? null,
      backoffUntil: backoffUntil ?? null,
      fetched: state?.fetched ?? 0,
      inserted: state?.inserted ?? 0,
      mentionsLast24h: recent.reduce((n, r) => n + r.n, 0),
    },
  };
}

/** Every source, sources.yaml's first, with its poll state. */
export async function listSourcesHandler(_req: ApiRequest, deps: ApiDeps): Promise<HandlerResult> {
  const [sources, states] = await Promise.all([deps.catalog.list(), deps.sources.list()]);
  const byId = new Map(states.map((s) => [s.id, s]));
  const now = new Date();
  return { status: 200, body: { data: sources.map((s) => present(s, byId.get(s.id), now)) } };
}

export async function getSourceHandler(req: ApiRequest, deps: ApiDeps): Promise<HandlerResult> {
  const { id } = parseInput(idParams, req.params, 'path');
  const s = await deps.catalog.get(id);
  if (!s) throw new NotFoundError('source', id);
  return { status: 200, body: present(s, (await deps.sources.get(id)) ?? undefined, new Date()) };
}

/** Adds a source (201); the workers poll it from its next scheduled run, the first one now. */
export async function createSourceHandler(req: ApiRequest, deps: ApiDeps): Promise<HandlerResult> {
  const s = await deps.catalog.create(req.body);
  await deps.queues.syncSchedules(await deps.catalog.list());
  return {
    status: 201,
    body: present(s, (await deps.sources.get(s.id)) ?? undefined, new Date()),
    headers: { location: `/api/v1/sources/${s.id}` },
  };
}

export async function updateSourceHandler(req: ApiRequest, deps: ApiDeps): Promise<HandlerResult> {
  const { id } = parseInput(idParams, req.params, 'path');
  const s = await deps.catalog.update(id, req.body);
  await deps.queues.syncSchedules(await deps.catalog.list());
  return { status: 200, body: present(s, (await deps.sources.get(id)) ?? undefined, new Date()) };
}

/** Removes an API source; its mentions stay. */
export async function deleteSourceHandler(req: ApiRequest, deps: ApiDeps): Promise<HandlerResult> {
  const { id } = parseInput(idParams, req.params, 'path');
  await deps.catalog.remove(id);
  await deps.queues.syncSchedules(await deps.catalog.list());
  return { status: 204, body: null };
}

/**
 * Fetches the source once, from scratch, and returns what a poll would store (the mentions with
 * their reading) and what it would refuse; stores nothing and leaves the source's cursor alone.
 * A failure answers 200 with `ok: false` and the error: the request worked, the source did not.
 */
export async function testSourceHandler(req: ApiRequest, deps: ApiDeps): Promise<HandlerResult> {
  const { id } = parseInput(idParams, req.params, 'path');
  const source = await deps.catalog.get(id);
  if (!source) throw new NotFoundError('source', id);
  const adapter = adapterOf(source.kind);
  const fetchedAt = new Date();
  try {
    const page = await adapter.fetchPage(
      source,
      {},
      {
        http: deps.http,
        signal: AbortSignal.timeout(TEST_TIMEOUT_MS),
        tokens: testTokens,
        now: () => new Date(),
      },
    );
    if (page.notModified)
      return { status: 200, body: { ok: true, notModified: true, mentions: [] } };
    const drafts = adapter.parse(page.raw, {
      sourceId: id,
      fetchedAt,
      options: settingsOf(source),
    });
    const read = mentionsFromDrafts(drafts, id, fetchedAt);
    return {
      status: 200,
      body: {
        ok: true,
        fetched: drafts.length,
        mentions: read.mentions.map((m) => ({ ...m, analysis: deps.acceptDeps.analyze(m) })),
        rejected: read.rejected,
      },
    };
  } catch (err) {
    return {
      status: 200,
      body: {
        ok: false,
        error: {
          name: err instanceof Error ? err.name : 'Error',
          message: err instanceof Error ? err.message : String(err),
        },
      },
    };
  }
}
