/**
 * Correcting a mention: a manager says what its sentiment, touchpoints or relevance really are.
 * The corrected reading becomes the mention's next version, through the same path as an edit:
 * its contribution is staged first with that version (the count drain takes out what the
 * previous version counted and indexed, and puts the corrected reading in, once, then asks the
 * detector to look at the touchpoints it touched, so open alerts follow), then the mention is
 * rewritten, and the correction is kept to measure the reader.
 */
import { applyCorrection, summarizeReading, type Correction } from '../analysis/correction.js';
import type { Mention, MentionInput } from '../domain/mention.js';
import { ConflictError, NotFoundError } from '../errors.js';
import type { CorrectionsRepository, StoredCorrection } from '../store/corrections-repository.js';
import type { CountsRepository } from '../store/counts-repository.js';
import type { MentionsRepository } from '../store/mentions-repository.js';
import { contributionOf } from './accept.js';
import { storedAnalysis } from './recount.js';

export interface CorrectDeps {
  mentions: Pick<MentionsRepository, 'findById' | 'saveCorrection'>;
  counts: Pick<CountsRepository, 'stage'>;
  corrections: Pick<CorrectionsRepository, 'record'>;
  enqueueCount(): Promise<void>;
  /** A touchpoint's stage, from the journey. */
  stageOf(touchpoint: string): string;
  now(): Date;
}

/** In this process, one correction of a mention at a time: each reads the version the last wrote. */
const inFlight = new Map<string, Promise<unknown>>();

export function correctMention(
  deps: CorrectDeps,
  id: string,
  correction: Correction & { note?: string },
  by: { id: string; name: string },
): Promise<{ mention: Mention; correction: StoredCorrection }> {
  const previous = inFlight.get(id) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(() => apply(deps, id, correction, by));
  inFlight.set(id, run);
  void run
    .finally(() => {
      if (inFlight.get(id) === run) inFlight.delete(id);
    })
    .catch(() => undefined);
  return run;
}

async function apply(
  deps: CorrectDeps,
  id: string,
  { note, ...correction }: Correction & { note?: string },
  by: { id: string; name: string },
): Promise<{ mention: Mention; correction: StoredCorrection }> {
  const m = await deps.mentions.findById(id);
  if (!m) throw new NotFoundError('mention', id);
  const reading = storedAnalysis(m);
  if (!reading)
    throw new ConflictError(`mention ${id} has not been read yet: correct it once it is`);
  const after = applyCorrection(reading, correction, (t) => deps.stageOf(t));
  const version = (m.version ?? 0) + 1;
  const at = deps.now();
  const input = inputOf(m);
  const c = contributionOf(id, input, after);
  await deps.counts.stage([
    { ...c, version, ...(m.crossPostOf ? { indexOnly: 'copy' as const } : {}) },
  ]);
  await deps.mentions.saveCorrection(id, after, version, { by: by.name, at });
  await deps.enqueueCount();
  const kept = await deps.corrections.record({
    mentionId: id,
    version,
    lang: after.lang,
    at,
    by: by.name,
    byId: by.id,
    before: summarizeReading(reading),
    after: correction,
    ...(note ? { note } : {}),
  });
  return {
    mention: { ...m, ...after, version, correctedAt: at, correctedBy: by.name },
    correction: kept,
  };
}

function inputOf(m: Mention): MentionInput {
  return {
    source: m.source,
    externalId: m.externalId,
    url: m.url,
    author: m.author,
    ...(m.title !== undefined ? { title: m.title } : {}),
    text: m.text,
    ...(m.lang !== undefined ? { lang: m.lang } : {}),
    publishedAt: m.publishedAt,
    ...(m.rating !== undefined ? { rating: m.rating } : {}),
    ...(m.engagement !== undefined ? { engagement: m.engagement } : {}),
  };
}
