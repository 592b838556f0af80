/**
 * The demo's memory: four weeks of ordinary word of mouth (with the decoys that must not alert),
 * so that the weak-link detector has a baseline when the demo feed's delivery complaints arrive,
 * and what people say of the two competitors of config/touchpoints.yaml (share of voice).
 */
import type { MentionInput } from '../domain/mention.js';
import { acceptMentions, type AcceptDeps } from '../ingest/accept.js';
import { generateCompetitorMentions, generateScenario } from './scenario.js';

const DAY_MS = 86_400_000;
export const DEMO_HISTORY_DAYS = 28;
/**
 * The demo feed's source id (scripts/start.ts), a source that reads the watch query: mentions of a
 * competitor alone come from it, as they would from a search, and so count only under it.
 */
export const DEMO_SEARCH_SOURCE = 'demo';

/** Accepts the history (idempotent: the same day's history twice stores nothing twice). */
export async function seedDemoHistory(deps: AcceptDeps, now: Date): Promise<number> {
  const today = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
  const start = new Date(today - DEMO_HISTORY_DAYS * DAY_MS);
  const { mentions: ours } = generateScenario({
    start,
    days: DEMO_HISTORY_DAYS,
    seed: today / DAY_MS,
    outbreakDay: null,
  });
  const mentions = [
    ...ours,
    ...generateCompetitorMentions({
      start,
      days: DEMO_HISTORY_DAYS,
      seed: today / DAY_MS,
      searchSource: DEMO_SEARCH_SOURCE,
    }),
  ].toSorted((a, b) => a.publishedAt.localeCompare(b.publishedAt));
  let accepted = 0;
  for (let i = 0; i < mentions.length; i += 500) {
    const batch: MentionInput[] = mentions
      .slice(i, i + 500)
      .map((m) => ({ ...m, publishedAt: new Date(m.publishedAt) }));
    accepted += (await acceptMentions(deps, batch)).accepted;
  }
  return accepted;
}
