/**
 * The journey as it is now: touchpoints.yaml's touchpoints (composed with its presets by config/)
 * with an admin's changes through the API on top: a touchpoint added, or a file touchpoint
 * redefined (label, stage, keywords, exclusions). Every process reads mentions (the API for
 * pushes, workers for polls, the CLI for imports and recounts), and each holds one provider:
 *
 * - the hot path stays cheap: reading a mention asks the current linker, built once per version;
 *   at most once every `maxAgeMs` (5 s) a read starts, in the background, one `_id` lookup of the
 *   settings document, and the linker is rebuilt only when its version moved. So a change made
 *   in one process reaches the others within seconds, without a restart; the process that made
 *   the change rebuilds at once.
 * - mentions already stored keep the reading they were given, and their counts: the journey as
 *   changed applies from the next mention read (`maillon recount` reads only mentions stored
 *   unread; reading stored ones again would have to move their counts, as corrections do).
 *
 * Deleting a touchpoint of touchpoints.yaml through the API is refused (409), as for sources.yaml's
 * sources: hiding it would leave the file describing a journey that is not the one in force, and
 * routes, alerts and counts that name it would point at nothing. Its redefinition can be
 * deleted, which brings back the file's.
 */
import { createTouchpointLinker, type TouchpointLinker } from '../analysis/touchpoints.js';
import { touchpointSchema, type Touchpoint } from '../analysis/journey.js';
import { zodIssues } from '../domain/mention.js';
import { STAGES } from '../domain/vocabulary.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import type { Logger } from '../logger.js';
import type {
  SettingsAuthor,
  SettingsRepository,
  StoredItem,
} from '../store/settings-repository.js';

/** How stale a process's journey may be, at most, before it looks at the store again. */
export const JOURNEY_MAX_AGE_MS = 5_000;

export type TouchpointOrigin = 'file' | 'api' | 'file+api';

export interface TouchpointView extends Touchpoint {
  /** `file`: touchpoints.yaml's; `api`: added through the API; `file+api`: the file's, redefined. */
  origin: TouchpointOrigin;
  updatedAt?: Date;
  updatedBy?: SettingsAuthor;
}

export interface JourneyProviderDeps {
  /** touchpoints.yaml's journey (composed) and its watch query. */
  file: { watch: string; touchpoints: readonly Touchpoint[] };
  settings: SettingsRepository;
  logger?: Logger;
  /** Default `JOURNEY_MAX_AGE_MS`. */
  maxAgeMs?: number;
  now?: () => Date;
}

export type JourneyProvider = ReturnType<typeof createJourneyProvider>;

/** The body of PUT /api/v1/touchpoints/:id: a whole touchpoint but its id (from the path). */
const putSchema = touchpointSchema.omit({ id: true });

/** touchpoints.yaml's journey with the stored changes on top, in stage order. */
export function composeWithChanges(
  file: readonly Touchpoint[],
  items: Record<string, StoredItem<Touchpoint>>,
): TouchpointView[] {
  const fileIds = new Set(file.map((t) => t.id));
  const own = file.map((t): TouchpointView => {
    const item = items[t.id];
    return item ? view(item, 'file+api') : { ...t, origin: 'file' };
  });
  const added = Object.entries(items)
    .filter(([id]) => !fileIds.has(id))
    .map(([, item]) => view(item, 'api'));
  const rank = (t: Touchpoint): number => STAGES.indexOf(t.stage);
  // A stable sort: the file's order within a stage, then the additions.
  return [...own, ...added].toSorted((a, b) => rank(a) - rank(b));
}

function view(item: StoredItem<Touchpoint>, origin: TouchpointOrigin): TouchpointView {
  return { ...item.value, origin, updatedAt: item.updatedAt, updatedBy: item.updatedBy };
}

export function createJourneyProvider(deps: JourneyProviderDeps) {
  const now = deps.now ?? (() => new Date());
  const maxAgeMs = deps.maxAgeMs ?? JOURNEY_MAX_AGE_MS;
  const fileIds = new Set(deps.file.touchpoints.map((t) => t.id));

  let version = 0;
  let views: TouchpointView[] = deps.file.touchpoints.map((t) => ({ ...t, origin: 'file' }));
  let touchpoints: Touchpoint[] = [...deps.file.touchpoints];
  let linker: TouchpointLinker = createTouchpointLinker(deps.file);
  let checkedAt = -Infinity;
  let inflight: Promise<void> | undefined;

  const rebuild = (v: number, items: Record<string, StoredItem<Touchpoint>>): void => {
    views = composeWithChanges(deps.file.touchpoints, items);
    touchpoints = views.map(({ origin: _o, updatedAt: _a, updatedBy: _b, ...t }) => t);
    linker = createTouchpointLinker({ watch: deps.file.watch, touchpoints });
    version = v;
  };

  /** Reads the settings document and rebuilds when its version moved. */
  const load = async (): Promise<void> => {
    const doc = await deps.settings.get<Touchpoint>('touchpoints');
    if (doc.version !== version) rebuild(doc.version, doc.items);
  };

  /** Starts a background look at the store when the journey is older than `maxAgeMs`. */
  const freshen = (): void => {
    const t = now().getTime();
    if (inflight || t - checkedAt < maxAgeMs) return;
    checkedAt = t;
    inflight = (async () => {
      try {
        // One small lookup; the whole document only when it changed.
        if ((await deps.settings.version('touchpoints')) !== version) await load();
      } catch (err) {
        // The store is away: keep reading with the journey we have.
        deps.logger?.warn({ err }, 'journey: could not look at the stored touchpoints');
      } finally {
        inflight = undefined;
      }
    })();
  };

  const record = async (
    by: SettingsAuthor,
    at: Date,
    id: string,
    action: 'create' | 'update' | 'delete',
  ): Promise<void> => {
    await deps.settings.record({ at, by, what: 'touchpoints', id, action });
    deps.logger?.info({ touchpoint: id, action, by: by.id }, 'touchpoint changed');
  };

  return {
    /**
     * Links a text to the touchpoints of the journey as it is now (a plain function: pass it
     * around as it is). Never waits for the store.
     */
    link: (text: string, lang: string) => {
      freshen();
      return linker.link(text, lang);
    },

    /** The touchpoints in force, in stage order. */
    touchpoints(): Touchpoint[] {
      freshen();
      return touchpoints;
    },

    /** The touchpoints with where each comes from, as the API lists them. */
    views(): TouchpointView[] {
      freshen();
      return views;
    },

    /** Reads the store now (at start, and after a change made here). */
    async refresh(): Promise<void> {
      checkedAt = now().getTime();
      await load();
    },

    /** Adds a touchpoint, or redefines one (the file's included); applies here at once. */
    async put(id: string, input: unknown, by: SettingsAuthor): Promise<TouchpointView> {
      const parsed = putSchema.safeParse(input ?? {});
      if (!parsed.success) throw new ValidationError('body', zodIssues(parsed.error), parsed.error);
      const full = touchpointSchema.safeParse({ ...parsed.data, id });
      if (!full.success) throw new ValidationError('params', zodIssues(full.error), full.error);
      const at = now();
      const outcome = await deps.settings.put('touchpoints', id, full.data, by, at);
      await record(by, at, id, outcome === 'created' ? 'create' : 'update');
      await this.refresh();
      const tp = views.find((t) => t.id === id);
      if (!tp) throw new NotFoundError('touchpoint', id);
      return tp;
    },

    /**
     * Removes a touchpoint added through the API, or an API redefinition of a file touchpoint
     * (the file's definition comes back). A touchpoint of touchpoints.yaml alone: 409.
     */
    async remove(id: string, by: SettingsAuthor): Promise<void> {
      const at = now();
      const removed = await deps.settings.remove('touchpoints', id, by, at);
      if (!removed) {
        if (fileIds.has(id))
          throw new ConflictError(
            `touchpoint ${id} is defined in touchpoints.yaml: remove it from the file (or its preset's with journey.without)`,
          );
        throw new NotFoundError('touchpoint', id);
      }
      await record(by, at, id, 'delete');
      await this.refresh();
    },
  };
}
