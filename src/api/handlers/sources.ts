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
import {
  adapterOf,
  settingsOf,
  sourceSettingsSchema,
  type SourceConfig,
} from '../../sources/index.js';
import { redactUrl } from '../../sources/_http.js';
import { createTokenStore } from '../../sources/_types.js';
import type { SourceState } from '../../store/sources-repository.js';
import { DAY_MS } from '../../domain/calendar.js';
import { defineRoute } from '../route.js';
import { listOf } from '../schemas.js';

const idParams = z.object({ id: sourceIdSchema }).strict();
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

/** A source as the API shows it (settings vary by kind; secrets show as "set"). */
export const sourceSchema = z
  .object({
    id: z.string(),
    kind: z.string(),
    enabled: z.boolean(),
    target: z.string(),
    origin: z.enum(['file', 'api']),
    secrets: z.record(z.string(), z.literal('set')),
    status: z.enum(['paused', 'backing-off', 'failing', 'ok', 'waiting']),
    state: z
      .object({
        lastPolledAt: z.iso.datetime().nullable(),
        lastSuccessAt: z.iso.datetime().nullable(),
        lastError: z.object({ message: z.string(), at: z.iso.datetime() }).nullable(),
        consecutiveFailures: z.number(),
        failingSince: z.iso.datetime().nullable(),
        backoffUntil: z.iso.datetime().nullable(),
        fetched: z.number(),
        inserted: z.number(),
        mentionsLast24h: z.number(),
      })
      .loose(),
  })
  .loose()
  .meta({ id: 'Source' });

/** Settings of a source as sent: its kind's options, checked by the catalog. */
const sourceBody = z.record(z.string(), z.unknown());

export const listSources = defineRoute({
  method: 'get',
  path: '/api/v1/sources',
  access: 'viewer',
  tag: 'Sources',
  summary: "Every source, sources.yaml's first, with how it is doing",
  responses: { 200: { description: 'The sources.', schema: listOf(sourceSchema) } },
  handler: async (_input, deps) => {
    const [sources, states] = await Promise.all([deps.catalog.list(), deps.sources.list()]);
    const byId = new Map(states.map((s) => [s.id, s]));
    const now = new Date();
    return { status: 200, body: { data: sources.map((s) => present(s, byId.get(s.id), now)) } };
  },
});

export const getSource = defineRoute({
  method: 'get',
  path: '/api/v1/sources/:id',
  access: 'viewer',
  tag: 'Sources',
  summary: 'One source',
  params: idParams,
  responses: { 200: { description: 'The source.', schema: sourceSchema } },
  handler: async ({ params: { id } }, deps) => {
    const s = await deps.catalog.get(id);
    if (!s) throw new NotFoundError('source', id);
    return { status: 200, body: present(s, (await deps.sources.get(id)) ?? undefined, new Date()) };
  },
});

export const createSource = defineRoute({
  method: 'post',
  path: '/api/v1/sources',
  access: 'manager',
  tag: 'Sources',
  summary: 'Add a source; the workers poll it at once, then at its interval',
  body: sourceBody,
  documentedBody: sourceSettingsSchema,
  responses: { 201: { description: 'The source added.', schema: sourceSchema } },
  handler: async ({ body }, deps) => {
    const s = await deps.catalog.create(body);
    await deps.queues.syncSchedules(await deps.catalog.list());
    return {
      status: 201,
      body: present(s, (await deps.sources.get(s.id)) ?? undefined, new Date()),
      headers: { location: `/api/v1/sources/${s.id}` },
    };
  },
});

export const updateSource = defineRoute({
  method: 'patch',
  path: '/api/v1/sources/:id',
  access: 'manager',
  tag: 'Sources',
  summary: "Change a source's settings, or pause it (`enabled: false`)",
  description: 'A source of sources.yaml can only be paused or resumed here (409 otherwise).',
  params: idParams,
  body: sourceBody,
  responses: { 200: { description: 'The source changed.', schema: sourceSchema } },
  handler: async ({ params: { id }, body }, deps) => {
    const s = await deps.catalog.update(id, body);
    await deps.queues.syncSchedules(await deps.catalog.list());
    return { status: 200, body: present(s, (await deps.sources.get(id)) ?? undefined, new Date()) };
  },
});

export const deleteSource = defineRoute({
  method: 'delete',
  path: '/api/v1/sources/:id',
  access: 'manager',
  tag: 'Sources',
  summary: 'Remove a source added through the API; its mentions stay',
  params: idParams,
  responses: { 204: { description: 'Removed.' } },
  handler: async ({ params: { id } }, deps) => {
    await deps.catalog.remove(id);
    await deps.queues.syncSchedules(await deps.catalog.list());
    return { status: 204, body: null };
  },
});

export const testSource = defineRoute({
  method: 'post',
  path: '/api/v1/sources/:id/test',
  access: 'manager',
  tag: 'Sources',
  summary: 'Fetch a source once and show what a poll would store; stores nothing',
  description:
    "Fetches from scratch and returns the mentions with their reading, and what would be refused; the source's cursor stays as it is. A failure answers 200 with `ok: false` and the error: the request worked, the source did not.",
  params: idParams,
  responses: {
    200: {
      description: 'What a poll would store.',
      schema: z.object({
        ok: z.boolean(),
        notModified: z.boolean().optional(),
        fetched: z.number().optional(),
        mentions: z.array(z.record(z.string(), z.unknown())).optional(),
        rejected: z.array(z.unknown()).optional(),
        error: z.object({ name: z.string(), message: z.string() }).optional(),
      }),
    },
  },
  handler: async ({ params: { id } }, deps) => {
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
  },
});

export const sourceRoutes = [
  listSources,
  createSource,
  getSource,
  updateSource,
  deleteSource,
  testSource,
];
