/**
 * Share of voice: the brand against the competitors it watches, each one's share of the
 * mentions as a bar with the change since the previous period, and their sentiment side by
 * side (negative share, mean sentiment); the shares over time below.
 */
import { html, useMemo } from '../lib/preact.js';
import { api } from '../lib/api.js';
import { useApp } from '../lib/context.js';
import { useData } from '../lib/use-data.js';
import { LineChart, PALETTE } from '../components/chart.js';
import { DataState, Panel } from '../components/ui.js';
import { Change, periodOf } from './trend-periods.js';

export function ShareOfVoice({ query }) {
  const { t } = useApp();
  const { bucket, since, until } = periodOf(query);
  const state = useData(
    () => api.get('/api/v1/share-of-voice', { bucket, since, until }),
    [bucket, since],
  );
  return html`<${Panel} title=${t('sov.title')} className="sov">
    <${DataState}
      state=${state}
      isEmpty=${(d) => d.data.every((b) => b.totals.volume === 0)}
      empty=${t('sov.none')}
    >
      ${(sov) => html`<${SovView} sov=${sov} />`}
    <//>
  <//>`;
}

function SovView({ sov }) {
  const { t, f } = useApp();
  const { times, series } = useMemo(
    () => ({
      times: (sov.data[0]?.data ?? []).map((p) => new Date(p.start).getTime() / 1000),
      series: sov.data.map((b, i) => ({
        label: b.name || t('sov.you'),
        color: PALETTE[i % PALETTE.length],
        values: b.data.map((p) => p.share),
      })),
    }),
    [sov, t],
  );
  return html`<table class="table sov-table">
      <thead>
        <tr>
          <th>${t('sov.brand')}</th>
          <th class="bar-col">${t('sov.share')}</th>
          <th class="num">${t('sov.change')}</th>
          <th class="num">${t('metric.volume')}</th>
          <th class="num">${t('metric.negativeShare')}</th>
          <th class="num">${t('metric.meanSentiment')}</th>
        </tr>
      </thead>
      <tbody>
        ${sov.data.map(
          (b, i) =>
            html`<tr key=${b.id} class=${b.own ? 'own' : ''}>
              <td>
                ${b.name || t('sov.you')}${b.own ? html` <span class="badge muted">${t('sov.you')}</span>` : null}
              </td>
              <td class="bar-col">
                <span
                  class="bar"
                  style=${`width:${Math.round((b.totals.share ?? 0) * 100)}%;background:${PALETTE[i % PALETTE.length]}`}
                ></span>
                <span class="bar-label">${f.percent(b.totals.share)}</span>
              </td>
              <td class="num">
                <${Change} value=${b.change?.share} format=${f.points} rise="good" />
              </td>
              <td class="num">${f.number(b.totals.volume)}</td>
              <td class="num">
                <span
                  class="mini-bar negative"
                  style=${`width:${Math.round((b.totals.negativeShare ?? 0) * 60)}px`}
                ></span>
                ${f.percent(b.totals.negativeShare)}
              </td>
              <td class="num">${f.decimal(b.totals.meanSentiment)}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    <${LineChart}
      times=${times}
      series=${series}
      format=${f.percent}
      height=${200}
      daily=${sov.bucket !== '1h'}
    />`;
}
