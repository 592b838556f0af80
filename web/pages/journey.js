/**
 * The journey map: the stages left to right, each touchpoint a card coloured by its health
 * against its own baseline, the weakest link standing out (and named above the map), and the
 * contagion of an open alert drawn as links to the touchpoints its wave reached.
 */
import { html } from '../lib/preact.js';
import { api } from '../lib/api.js';
import { useApp } from '../lib/context.js';
import { href } from '../lib/router.js';
import { useData } from '../lib/use-data.js';
import { DataState, HealthBadge, Panel, SeverityBadge } from '../components/ui.js';
import { ContagionLinks } from './journey-links.js';

export function JourneyPage() {
  const { t, lang } = useApp();
  const state = useData(() => api.get('/api/v1/journey'), [], { refreshMs: 30_000 });
  return html`<div class="page journey-page">
    <${DataState} state=${state}>
      ${(map) =>
        html`<${WeakLinkBanner} map=${map} />
          <${Panel} title=${t('journey.title')} actions=${html`<${Legend} />`}>
            <${JourneyMap} map=${map} />
            <p class="muted small">${map.baseline.description[lang]}</p>
          <//>`}
    <//>
  </div>`;
}

function Legend() {
  const { t } = useApp();
  return html`<span class="legend">
    <${HealthBadge} state="ok" /><${HealthBadge} state="watch" /><${HealthBadge} state="weak" />
    <span class="legend-link">${t('journey.contagionLegend')}</span>
  </span>`;
}

/** The weak link in one sentence, with the ways to act on it. */
function WeakLinkBanner({ map }) {
  const { t, lang, f } = useApp();
  const weakest = map.touchpoints.find((tp) => tp.id === map.weakest);
  if (!weakest)
    return html`<div class="banner ok" data-testid="weak-link">${t('journey.allHealthy')}</div>`;
  const since = new Date(new Date(map.at).getTime() - 86_400_000).toISOString();
  return html`<div class="banner weak" data-testid="weak-link">
    <div>
      <span class="banner-kicker">${t('journey.weakLink')}</span>
      <strong class="banner-title">${weakest.label[lang]}</strong>
      <span>${weakest.health.reason[lang]}</span>
    </div>
    <div class="banner-actions">
      ${
        weakest.alert
          ? html`<a class="btn btn-primary" href=${href('alerts', weakest.alert.id)}
              >${t('journey.openAlert')}</a
            >`
          : null
      }
      <a
        class="btn btn-secondary"
        href=${href('mentions', null, { touchpoint: weakest.id, sentiment: 'negative', since })}
        >${t('journey.seeMentions')}</a
      >
      <span class="muted small">${t('journey.at', { at: f.dateTime(map.at) })}</span>
    </div>
  </div>`;
}

function JourneyMap({ map }) {
  const { lang } = useApp();
  const byId = new Map(map.touchpoints.map((tp) => [tp.id, tp]));
  // Which alerted touchpoints' waves reached each one.
  const reachedBy = new Map();
  for (const tp of map.touchpoints)
    for (const r of tp.alert?.reached ?? [])
      reachedBy.set(r.id, [...(reachedBy.get(r.id) ?? []), tp]);
  return html`<div class="journey-map">
    <div class="stages">
      ${map.stages.map(
        (stage) =>
          html`<div key=${stage.id} class=${`stage ${stage.state}`} data-stage=${stage.id}>
            <h3 class="stage-title">
              <span class=${`dot ${stage.state}`}></span>${stage.label[lang]}
            </h3>
            ${stage.touchpoints.map((id) => {
              const tp = byId.get(id);
              return tp
                ? html`<${TouchpointCard}
                    key=${id}
                    tp=${tp}
                    weakest=${map.weakest === id}
                    reachedBy=${reachedBy.get(id)}
                  />`
                : null;
            })}
          </div>`,
      )}
    </div>
    <${ContagionLinks} map=${map} />
  </div>`;
}

function TouchpointCard({ tp, weakest, reachedBy }) {
  const { t, lang, f } = useApp();
  const reached = tp.alert?.reached ?? [];
  return html`<article
    class=${`tp-card ${tp.health.state}${weakest ? ' weakest' : ''}${reachedBy ? ' reached' : ''}`}
    data-touchpoint=${tp.id}
    title=${tp.health.reason[lang]}
  >
    ${weakest ? html`<span class="weakest-flag">${t('journey.weakLink')}</span>` : null}
    <header>
      <a class="tp-name" href=${href('mentions', null, { touchpoint: tp.id })}>${tp.label[lang]}</a>
      <${HealthBadge} state=${tp.health.state} />
    </header>
    <dl class="tp-figures">
      <div>
        <dt>${t('journey.complaints24h')}</dt>
        <dd>${f.number(tp.health.negatives)}</dd>
      </div>
      <div>
        <dt>${t('journey.usual')}</dt>
        <dd>${f.decimal(tp.health.usual)}</dd>
      </div>
      <div>
        <dt>${t('journey.negativeShare')}</dt>
        <dd>${f.percent(tp.negativeShare)}</dd>
      </div>
      <div>
        <dt>${t('journey.volume')}</dt>
        <dd>${f.number(tp.volume)}</dd>
      </div>
    </dl>
    ${
      tp.alert
        ? html`<a class="tp-alert" href=${href('alerts', tp.alert.id)}>
            <${SeverityBadge} severity=${tp.alert.severity} />
            <span>${t('journey.alertSince', { at: f.dateTime(tp.alert.openedAt) })}</span>
          </a>`
        : null
    }
    ${
      reachedBy
        ? html`<p class="tp-reached small">
            ${t('journey.reachedBy', { from: reachedBy.map((x) => x.label[lang]).join(', ') })}
          </p>`
        : null
    }
    ${
      reached.length > 0
        ? html`<p class="tp-reached small">
            ${t('journey.reached', { list: reached.map((r) => r.label[lang]).join(', ') })}
          </p>`
        : null
    }
  </article>`;
}
