/**
 * Every source Maillon polls, wherever it was declared: those of sources.yaml (their secrets from
 * the environment, resolved by config/) and those created through the API (kept in the store,
 * their secrets sealed). The poll job, the schedulers, the health check and the API all ask the
 * catalog, so a source added through the API is polled by every worker process without a
 * restart, and survives one.
 */
import { z } from 'zod';
import { zodIssues } from '../domain/mention.js';
import {
  ConfigError,
  ConflictError,
  NotFoundError,
  ValidationError,
  type ValidationIssue,
} from '../errors.js';
import {
  adapterOf,
  describeSource,
  sourceSettingsSchema,
  type SourceConfig,
} from '../sources/index.js';
import type { SecretBox } from '../store/sealed.js';
import type { SourceState, SourcesRepository } from '../store/sources-repository.js';

export interface SourceCatalogDeps {
  /** sources.yaml's sources, secrets resolved. */
  fileSources: SourceConfig[];
  sources: SourcesRepository;
  /** The values of the environment variables the kinds read by default (REDDIT_CLIENT_ID...). */
  envSecrets: Record<string, string>;
  /** Seals API sources' secrets; without it, the API accepts no secret in a request. */
  box?: SecretBox;
  now?: () => Date;
}

/** What the API takes to create a source: its settings and, write-only, its secrets. */
const secretsInput = z.record(z.string(), z.string().min(1).max(4096));

export type SourceCatalog = ReturnType<typeof createSourceCatalog>;

export function createSourceCatalog(deps: SourceCatalogDeps) {
  const now = deps.now ?? (() => new Date());
  const fileById = new Map(deps.fileSources.map((s) => [s.id, s]));
  /**
   * Which sources' mentions must pass the watch query, as last read: searches and feeds do;
   * a source about the brand by construction (watch: false), and pushed or imported mentions
   * (their source is no polled source), do not.
   */
  const watched = new Set(deps.fileSources.filter((s) => s.watch).map((s) => s.id));

  const remember = (s: SourceConfig): SourceConfig => {
    if (s.watch) watched.add(s.id);
    else watched.delete(s.id);
    return s;
  };

  /** An API source's settings and secrets back as the adapter sees them. */
  const fromStore = (state: SourceState, sealed: string | undefined): SourceConfig | null => {
    const parsed = sourceSettingsSchema.safeParse(state.settings ?? {});
    // A kind removed from the code, or settings an older version accepted: not polled.
    if (!parsed.success) return null;
    const own = sealed && deps.box ? deps.box.open(sealed) : {};
    const settings = { ...parsed.data, enabled: state.enabled } as Record<string, unknown>;
    return remember({
      ...settings,
      secrets: { ...defaultSecrets(String(settings.kind)), ...own },
    } as SourceConfig);
  };

  const defaultSecrets = (kind: string): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const [name, spec] of Object.entries(adapterOf(kind).secrets)) {
      const v = deps.envSecrets[spec.env];
      if (v !== undefined) out[name] = v;
    }
    return out;
  };

  /** Validates a request's settings and secrets into a source, or throws `ValidationError`. */
  const validate = (input: unknown): { source: SourceConfig; own: Record<string, string> } => {
    const body = z
      .object({ secrets: secretsInput.optional() })
      .loose()
      .safeParse(input ?? {});
    if (!body.success) throw new ValidationError('body', zodIssues(body.error), body.error);
    const { secrets: own = {}, ...rest } = body.data;
    if ('secretsFrom' in rest) {
      throw new ValidationError('body', [
        {
          path: 'secretsFrom',
          message: 'sources created through the API take their secrets in `secrets`',
        },
      ]);
    }
    const parsed = sourceSettingsSchema.safeParse(rest);
    if (!parsed.success) throw new ValidationError('body', zodIssues(parsed.error), parsed.error);
    const kind = String(parsed.data.kind);
    const specs = adapterOf(kind).secrets;
    const issues: ValidationIssue[] = [];
    for (const name of Object.keys(own)) {
      if (!(name in specs))
        issues.push({ path: `secrets.${name}`, message: `${kind} has no secret "${name}"` });
    }
    if (Object.keys(own).length > 0 && !deps.box) {
      issues.push({
        path: 'secrets',
        message:
          'set SECRETS_KEY to store credentials sealed, or set the kind’s environment variables',
      });
    }
    const secrets = { ...defaultSecrets(kind), ...own };
    for (const [name, spec] of Object.entries(specs)) {
      if (!spec.optional && secrets[name] === undefined)
        issues.push({
          path: `secrets.${name}`,
          message: `required: ${spec.describe} (or ${spec.env})`,
        });
    }
    if (issues.length > 0) throw new ValidationError('body', issues);
    const source = { ...parsed.data, secrets } as SourceConfig;
    try {
      adapterOf(kind).check?.(source);
    } catch (err) {
      // A kind's cross-option rules, worded for sources.yaml: the same words serve the API.
      if (err instanceof ConfigError)
        throw new ValidationError(
          'body',
          err.issues.map((message) => ({ path: '', message })),
        );
      throw err;
    }
    return { source, own };
  };

  return {
    /** Writes sources.yaml's sources into the store (start-up of the poll side). */
    async seed(): Promise<void> {
      await deps.sources.sync(deps.fileSources.map(describeSource));
    },

    /** Every source, the file's first. */
    async list(): Promise<SourceConfig[]> {
      const api = await deps.sources.apiSources();
      const fromApi = api
        .filter((a) => !fileById.has(a.state.id))
        .map((a) => fromStore(a.state, a.sealed))
        .filter((s): s is SourceConfig => s !== null);
      // A file source paused through the API stays paused until the file changes it.
      const states = new Map((await deps.sources.list()).map((s) => [s.id, s]));
      const fromFile = deps.fileSources.map((s) => ({
        ...s,
        enabled: s.enabled && (states.get(s.id)?.enabled ?? true),
      }));
      return [...fromFile, ...fromApi];
    },

    async get(id: string): Promise<SourceConfig | null> {
      const file = fileById.get(id);
      if (file) {
        const state = await deps.sources.get(id);
        return { ...file, enabled: file.enabled && (state?.enabled ?? true) };
      }
      const api = await deps.sources.apiSource(id);
      return api ? fromStore(api.state, api.sealed) : null;
    },

    /** Whether a source's mentions must pass the watch query (unknown sources: no). */
    watches(id: string): boolean {
      return watched.has(id);
    },

    async create(input: unknown): Promise<SourceConfig> {
      const { source, own } = validate(input);
      if (fileById.has(source.id))
        throw new ConflictError(`source ${source.id} is defined in sources.yaml`);
      const sealed = Object.keys(own).length > 0 ? deps.box?.seal(own) : undefined;
      if (!(await deps.sources.create(describeSource(source), sealed, now())))
        throw new ConflictError(`source ${source.id} exists`);
      return remember(source);
    },

    /**
     * Changes a source. An API source takes any of its settings (merged over the current ones,
     * validated again); a sources.yaml source can only be paused or resumed here, the rest is
     * the file's.
     */
    async update(id: string, patch: unknown): Promise<SourceConfig> {
      const body = z.record(z.string(), z.unknown()).safeParse(patch ?? {});
      if (!body.success) throw new ValidationError('body', zodIssues(body.error), body.error);
      if (fileById.has(id)) {
        const keys = Object.keys(body.data);
        if (keys.some((k) => k !== 'enabled') || typeof body.data.enabled !== 'boolean') {
          throw new ConflictError(
            `source ${id} is defined in sources.yaml: only "enabled" can change here; edit the file for the rest`,
          );
        }
        await deps.sources.setEnabled(id, body.data.enabled, now());
        const s = await this.get(id);
        if (!s) throw new NotFoundError('source', id);
        return s;
      }
      const current = await deps.sources.apiSource(id);
      if (!current) throw new NotFoundError('source', id);
      if ('id' in body.data && body.data.id !== id)
        throw new ValidationError('body', [{ path: 'id', message: 'a source keeps its id' }]);
      if ('kind' in body.data && body.data.kind !== current.state.kind)
        throw new ValidationError('body', [{ path: 'kind', message: 'a source keeps its kind' }]);
      const previous = current.sealed && deps.box ? deps.box.open(current.sealed) : {};
      const { secrets: newSecrets, ...changes } = body.data as { secrets?: unknown };
      const merged = {
        ...current.state.settings,
        ...changes,
        ...(newSecrets !== undefined || Object.keys(previous).length > 0
          ? { secrets: { ...previous, ...(newSecrets as Record<string, string> | undefined) } }
          : {}),
      };
      const { source, own } = validate(merged);
      const sealed = Object.keys(own).length > 0 ? deps.box?.seal(own) : undefined;
      await deps.sources.update(describeSource(source), sealed, now());
      return remember(source);
    },

    async remove(id: string): Promise<void> {
      if (fileById.has(id))
        throw new ConflictError(`source ${id} is defined in sources.yaml: remove it from the file`);
      if (!(await deps.sources.remove(id))) throw new NotFoundError('source', id);
      watched.delete(id);
    },
  };
}
