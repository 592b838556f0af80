/** What handlers receive: the request's parts and the application's ports. */
import { z } from 'zod';
import type { Authenticator } from '../../access/authenticate.js';
import type { WatchedBrand } from '../../analysis/brand.js';
import type { Touchpoint } from '../../analysis/journey.js';
import { zodIssues } from '../../domain/mention.js';
import { ValidationError } from '../../errors.js';
import type { AcceptDeps } from '../../ingest/accept.js';
import type { SourceCatalog } from '../../ingest/source-catalog.js';
import type { HttpClient } from '../../sources/index.js';
import type { Logger } from '../../logger.js';
import type { MetricsScraper } from '../../ops/scraper.js';
import type { Queues } from '../../queue/queues.js';
import type { AccessRepository } from '../../store/access-repository.js';
import type { CorrectionsRepository } from '../../store/corrections-repository.js';
import type { AlertsRepository } from '../../store/alerts-repository.js';
import type { CountsRepository } from '../../store/counts-repository.js';
import type { MentionsRepository } from '../../store/mentions-repository.js';
import type { DeliveriesRepository } from '../../store/deliveries-repository.js';
import type { SourcesRepository } from '../../store/sources-repository.js';
import type { NotifierDeps } from '../../alerts/channels/index.js';
import type { ChannelCatalog } from '../../settings/channel-catalog.js';
import type { JourneyProvider } from '../../settings/journey-provider.js';
import type { SettingsRepository } from '../../store/settings-repository.js';

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
  /** Share of voice: the brand, then its competitors (default: the brand alone, unnamed). */
  brands?: WatchedBrand[];
  /** Origins allowed to call the API from a browser (CORS); none by default. */
  corsOrigins: string[];
  /** Requests a minute per API key or signed-in user, and sign-in attempts a minute per IP. */
  rateLimitPerMinute: number;
  signInPerMinute: number;
  /** Express's `trust proxy`: behind a proxy, the client's IP and https come from its headers. */
  trustProxy: boolean | number | string;
}

export interface ApiDeps {
  settings: ApiSettings;
  logger: Logger;
  /** Users, API keys and sessions; `auth` resolves a request's caller from them. */
  access: AccessRepository;
  auth: Authenticator;
  mentions: MentionsRepository;
  /** People's corrections of mentions' readings. */
  corrections: CorrectionsRepository;
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
  /** What `/metrics` answers (src/ops/scraper.ts); without it, `/metrics` answers 503. */
  metrics?: MetricsScraper;
  /** Channels and routes, alerts.yaml's and the API's (src/settings/channel-catalog.ts). */
  channels: ChannelCatalog;
  /** The journey in force, touchpoints.yaml's with the API's changes (src/settings/). */
  journey: JourneyProvider;
  /** Who changed which setting when. */
  settingsStore: Pick<SettingsRepository, 'history'>;
  /** What a channel's test message is sent with (the notify job's settings). */
  notifier: NotifierDeps;
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

export { isoDateParam } from '../schemas.js';
