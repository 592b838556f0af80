/**
 * The journey map: the stages in order, each touchpoint's volume, negative share and health
 * against its own baseline now, the weakest link first, and for each open alert the other
 * touchpoints its wave reached. The rules (baseline, health, order, contagion) are
 * src/insights/journey-map.ts's; this reads what they need: the touchpoints' day documents for
 * the last 24 hours, and the counts' negatives documents (every touchpoint's negatives, one
 * document a day) for the baseline weeks and the waves, all by `_id`; and the open alerts (a
 * small collection). Never the mentions.
 */
import { z } from 'zod';
import { STAGE_NAMES } from '../../alerts/messages.js';
import type { Alert } from '../../domain/alert.js';
import { severitySchema, STAGES } from '../../domain/vocabulary.js';
import {
  contagionOf,
  HEALTH_RULES,
  healthOf,
  healthWindows,
  usualOf,
  waveWindow,
  weakestFirst,
  weakestLink,
  type HealthState,
  type Window,
} from '../../insights/journey-map.js';
import { figuresOf } from '../../insights/trends.js';
import { defineRoute } from '../route.js';
import { bilingual, isoDateParam, isoString } from '../schemas.js';
import type { ApiDeps } from './_deps.js';
import { figuresSchema, spanSchema } from './list-trends.js';

const querySchema = z
  .object({
    at: isoDateParam.describe('The instant the map is drawn for (default: now).'),
  })
  .strict();

const healthStateSchema = z.enum(['ok', 'watch', 'weak']);

const touchpointSchema = figuresSchema.extend({
  id: z.string(),
  stage: z.string(),
  label: bilingual,
  rank: z.number().int().describe('1 for the weakest.'),
  health: z.object({
    state: healthStateSchema,
    label: bilingual,
    negatives: z.number().int().describe('In the last 24 hours.'),
    usual: z.number().describe('The mean at the same hours of the 4 weeks before.'),
    ratio: z.number().describe('(negatives + 1) / (usual + 1).'),
    excess: z.number().describe('Negatives above usual.'),
    reason: bilingual,
  }),
  alert: z
    .object({
      id: z.string(),
      severity: severitySchema,
      status: z.string(),
      openedAt: isoString,
      title: z.string(),
      reached: z
        .array(
          z.object({
            id: z.string(),
            label: bilingual,
            negatives: z.number().int(),
            quarters: z.number().int(),
            since: isoString,
            state: healthStateSchema,
          }),
        )
        .describe(
          'Other touchpoints its wave reached: 2 negatives or more in one of its quarters.',
        ),
    })
    .nullable(),
});

const journeySchema = z.object({
  at: isoString,
  timeZone: z.string(),
  window: spanSchema.describe('The last 24 hours, to the quarter.'),
  baseline: z.object({
    weeks: z.number().int(),
    windows: z.array(spanSchema),
    description: bilingual,
  }),
  stages: z.array(
    z.object({
      id: z.string(),
      label: bilingual,
      state: healthStateSchema.describe("Its weakest touchpoint's."),
      touchpoints: z.array(z.string()).describe('Ids, in the journey order.'),
    }),
  ),
  touchpoints: z.array(touchpointSchema).describe('Weakest first.'),
  weakest: z.string().nullable().describe('The weakest link; null when every touchpoint is ok.'),
});

const BASELINE_WORDS = {
  fr: 'Plaintes des 24 dernières heures, comparées à la moyenne des mêmes heures (même jour de la semaine) des 4 semaines précédentes. Sain, à surveiller (×1,5 et 2 de plus), maillon faible (×3 et 5 de plus, ou une alerte ouverte).',
  en: 'Complaints in the last 24 hours, against the mean of the same hours (same weekday) of the 4 weeks before. Healthy, to watch (×1.5 and 2 more), weak link (×3 and 5 more, or an open alert).',
};

/** Negatives per touchpoint over a window, from the negatives documents. */
async function negativesIn(deps: ApiDeps, w: Window): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const q of await deps.counts.touchpointNegatives({
    from: new Date(w.from),
    to: new Date(w.to),
  }))
    out.set(q.key, (out.get(q.key) ?? 0) + q.negative);
  return out;
}

/** The open alert of each touchpoint (the most severe, then the latest), merged ones aside. */
function openAlerts(alerts: Alert[], end: number): Map<string, Alert> {
  const rank = { info: 0, warning: 1, critical: 2 } as const;
  const out = new Map<string, Alert>();
  for (const a of alerts) {
    const id = a.touchpoint?.id;
    if (!id || a.openedAt.getTime() >= end || a.history.some((h) => h.kind === 'merged')) continue;
    const had = out.get(id);
    if (
      !had ||
      rank[a.severity] > rank[had.severity] ||
      (rank[a.severity] === rank[had.severity] && a.openedAt > had.openedAt)
    )
      out.set(id, a);
  }
  return out;
}

export async function journeyMap(deps: ApiDeps, at: Date) {
  const timeZone = deps.settings.timeZone;
  const touchpoints = deps.settings.touchpoints;
  const { now, usual, end } = healthWindows(at.getTime(), timeZone);
  const [current, weeks, unresolved] = await Promise.all([
    Promise.all(
      touchpoints.map((tp) =>
        deps.counts.sums({
          dim: 'touchpoint',
          key: tp.id,
          size: '1h',
          from: new Date(now.from),
          to: new Date(now.to),
        }),
      ),
    ),
    Promise.all(usual.map((w) => negativesIn(deps, w))),
    deps.alerts.unresolved('weak-link'),
  ]);
  const alerts = openAlerts(unresolved, end);
  // One read for every open wave: from the earliest window's start.
  const waves = [...alerts.values()].map((a) => waveWindow(a, end));
  const wavesFrom = Math.min(...waves.map((w) => w.from));
  const waveNegatives =
    waves.length > 0
      ? await deps.counts.touchpointNegatives({ from: new Date(wavesFrom), to: new Date(end) })
      : [];

  const entries = touchpoints.map((tp, i) => {
    const sums = { volume: 0, negative: 0, positive: 0, sentimentSum: 0, audience: 0 };
    for (const b of current[i] ?? []) {
      sums.volume += b.volume;
      sums.negative += b.negative;
      sums.positive += b.positive;
      sums.sentimentSum += b.sentimentSum;
      sums.audience += b.audience;
    }
    const alert = alerts.get(tp.id) ?? null;
    const health = healthOf({
      negatives: sums.negative,
      usual: usualOf(weeks.map((w) => w.get(tp.id) ?? 0)),
      alert,
    });
    return {
      id: tp.id,
      stage: tp.stage,
      label: tp.label,
      ...figuresOf({ ...sums, negativeReach: 0 }),
      health,
      alert,
    };
  });
  const ordered = weakestFirst(entries);
  const stateOf = new Map<string, HealthState>(entries.map((e) => [e.id, e.health.state]));
  const labelOf = new Map(touchpoints.map((tp) => [tp.id, tp.label]));
  const weakest = weakestLink(ordered);
  return {
    at,
    timeZone,
    window: { since: new Date(now.from), until: new Date(now.to) },
    baseline: {
      weeks: HEALTH_RULES.weeks,
      windows: usual.map((w) => ({ since: new Date(w.from), until: new Date(w.to) })),
      description: BASELINE_WORDS,
    },
    stages: STAGES.map((stage) => {
      const own = entries.filter((e) => e.stage === stage);
      const worst = weakestFirst(own)[0]?.health.state ?? 'ok';
      return {
        id: stage,
        label: STAGE_NAMES[stage] ?? { fr: stage, en: stage },
        state: worst,
        touchpoints: own.map((e) => e.id),
      };
    }),
    touchpoints: ordered.map((e, i) => ({
      ...e,
      rank: i + 1,
      alert: e.alert
        ? {
            id: e.alert.id,
            severity: e.alert.severity,
            status: e.alert.status,
            openedAt: e.alert.openedAt,
            title: e.alert.title,
            reached: contagionOf(e.id, waveNegatives, waveWindow(e.alert, end))
              // Touchpoints no longer in the journey are not drawn.
              .filter((r) => labelOf.has(r.id))
              .map((r) => ({
                ...r,
                label: labelOf.get(r.id)!,
                state: stateOf.get(r.id) ?? 'ok',
              })),
          }
        : null,
    })),
    weakest: weakest?.id ?? null,
  };
}

export const getJourney = defineRoute({
  method: 'get',
  path: '/api/v1/journey',
  access: 'viewer',
  tag: 'Journey',
  summary: 'The journey map: each touchpoint’s health now, the weakest link first, and contagion',
  description:
    'Health: negatives in the last 24 hours against the mean of the same hours of the 4 weeks before (same weekday, on the brand’s clock), as a ratio (n + 1) / (usual + 1) and a state: `weak` (an open weak-link alert, or ×3 and 5 above usual), `watch` (×1.5 and 2 above usual), `ok`. Touchpoints come weakest first (state, open alert’s severity, ratio, excess); `weakest` is the first unless all are ok. An open alert lists the other touchpoints its wave reached: 2 negatives or more in one quarter of an hour of its window (the detector’s contagion rule). Words in French and English.',
  query: querySchema,
  responses: { 200: { description: 'The map.', schema: journeySchema } },
  handler: async ({ query }, deps) => ({
    status: 200,
    body: await journeyMap(deps, query.at ?? new Date()),
  }),
});
