/** What handlers receive: the request's parts and the application's ports. */
import { z } from 'zod';
import type { Touchpoint } from '../../analysis/journey.js';
import { zodIssues } from '../../domain/mention.js';
import { ValidationError } from '../../errors.js';
import type { AcceptDeps } from '../../ingest/accept.js';
import type { SourceCatalog } from '../../ingest/source-catalog.js';
import type { HttpClient } from '../../sources/index.js';
import type { Logger } from '../../logger.js';
import type { Queues } from '../../queue/queues.js';
import type { AlertsRepository } from '../../store/alerts-repository.js';
import type { CountsRepository } from '../../store/counts-repository.js';
import type { MentionsRepository } from '../../store/mentions-repository.js';
import type { DeliveriesRepository } from '../../store/deliveries-repository.js';
import type { SourcesRepository } from '../../store/sources-repository.js';

/** The part of the configuration the API reads. */
export interface ApiSettings {
  /** Stacks appear in error bodies only in development. */
  nodeEnv: 'development' | 'production' | 'test';
  /** Largest request body (`5mb`). */
  bodyLimit: string;
  /** Most mentions in one POST. */
  maxBatch: number;
  /** The brand's time zone, for days and hours. */
  timeZone: string;
  touchpoints: Touchpoint[];
}

export interface ApiDeps {
  settings: ApiSettings;
  logger: Logger;
  mentions: MentionsRepository;
  alerts: AlertsRepository;
  sources: SourcesRepository;
  deliveries: DeliveriesRepository;
  counts: CountsRepository;
  queues: Pick<Queues, 'enqueueDeliver' | 'syncSchedules'>;
  /** Every source, sources.yaml's and the API's. */
  catalog: SourceCatalog;
  /** For a source's test fetch. */
  http: HttpClient;
  /** The door into the pipeline (src/ingest/accept.ts). */
  acceptDeps: AcceptDeps;
  /** Health checks by dependency name; each rejects when its dependency is down. */
  checks: Record<string, () => Promise<unknown>>;
}

export interface ApiRequest {
  params: Record<string, unknown>;
  /** Express 5's simple parser: `?a[$gt]=` stays the literal key "a[$gt]", never an object. */
  query: Record<string, unknown>;
  body: unknown;
}

/** Parses request input, or throws a `ValidationError` naming each bad field. */
export function parseInput<S extends z.ZodType>(
  schema: S,
  value: unknown,
  where: string,
): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw new ValidationError(where, zodIssues(r.error), r.error);
  return r.data;
}

/** An optional ISO-8601 instant with its offset, as a Date: `since` and `until` parameters. */
export const isoDateParam = z.iso
  .datetime({ offset: true })
  .transform((s) => new Date(s))
  .optional();
