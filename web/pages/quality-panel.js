/**
 * How well Maillon reads, from people's corrections: per language and per touchpoint, how often
 * the reader agreed with them. A low rate on few corrections says little: each rate shows how
 * many corrections judged it, and only rates judged 5 times or more are marked weak.
 */
import { html } from '../lib/preact.js';
import { api } from '../lib/api.js';
import { useApp } from '../lib/context.js';
import { useData } from '../lib/use-data.js';
import { DataState, Panel, Table } from '../components/ui.js';

/** Below this agreement, on enough corrections, the reading is weak there. */
const WEAK_RATE = 0.7;
const ENOUGH = 5;

function Rate({ a }) {
  const { t, f } = useApp();
  if (!a || a.judged === 0) return html`<span class="muted">—</span>`;
  const weak = a.judged >= ENOUGH && a.rate !== null && a.rate < WEAK_RATE;
  return html`<span
    class=${weak ? 'change worse' : ''}
    title=${t('quality.judged', { n: a.judged })}
    >${f.percent(a.rate)} <span class="muted small">(${f.number(a.judged)})</span></span
  >`;
}

export function QualityPanel() {
  const { t, labels } = useApp();
  const state = useData(() => api.get('/api/v1/analysis/quality'), []);
  const byLanguage = [
    {
      key: 'lang',
      label: t('common.language'),
      render: (r) => (['fr', 'en', 'und'].includes(r.lang) ? t(`lang.${r.lang}`) : r.lang),
    },
    { key: 'n', label: t('quality.corrections'), className: 'num', render: (r) => r.corrections },
    {
      key: 's',
      label: t('quality.sentiment'),
      className: 'num',
      render: (r) => html`<${Rate} a=${r.sentiment} />`,
    },
    {
      key: 'r',
      label: t('quality.relevance'),
      className: 'num',
      render: (r) => html`<${Rate} a=${r.relevance} />`,
    },
    {
      key: 'k',
      label: t('quality.kept'),
      className: 'num',
      render: (r) => html`<${Rate} a=${r.touchpointsKept} />`,
    },
    {
      key: 'f',
      label: t('quality.found'),
      className: 'num',
      render: (r) => html`<${Rate} a=${r.touchpointsFound} />`,
    },
  ];
  const byTouchpoint = [
    { key: 'tp', label: t('common.touchpoint'), render: (r) => labels.touchpoint(r.touchpoint) },
    {
      key: 'k',
      label: t('quality.kept'),
      className: 'num',
      render: (r) => html`<${Rate} a=${r.kept} />`,
    },
    {
      key: 'f',
      label: t('quality.found'),
      className: 'num',
      render: (r) => html`<${Rate} a=${r.found} />`,
    },
    {
      key: 'p',
      label: t('quality.polarity'),
      className: 'num',
      render: (r) => html`<${Rate} a=${r.polarity} />`,
    },
  ];
  return html`<${Panel} title=${t('quality.title')} className="quality">
    <${DataState} state=${state} isEmpty=${(d) => d.corrections === 0} empty=${t('quality.none')}>
      ${(q) =>
        html`<p class="muted small">${t('quality.intro', { n: q.corrections })}</p>
          <${Table} columns=${byLanguage} rows=${q.byLanguage} rowKey=${(r) => r.lang} />
          ${
            q.byTouchpoint.length > 0
              ? html`<${Table}
                  columns=${byTouchpoint}
                  rows=${q.byTouchpoint}
                  rowKey=${(r) => r.touchpoint}
                />`
              : null
          }`}
    <//>
  <//>`;
}
