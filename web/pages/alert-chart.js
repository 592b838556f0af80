/**
 * An alert's touchpoint hour by hour around the opening: its complaints from a day before to
 * now (or a day after), and the same hours of the period before, dashed, for comparison.
 */
import { html, useMemo } from '../lib/preact.js';
import { api } from '../lib/api.js';
import { useApp } from '../lib/context.js';
import { useData } from '../lib/use-data.js';
import { LineChart, PALETTE } from '../components/chart.js';
import { DataState, Panel } from '../components/ui.js';

const HOUR = 3_600_000;

export function AlertChart({ alert }) {
  const { t, lang } = useApp();
  const touchpoint = alert.touchpoint.id;
  const opened = new Date(alert.openedAt).getTime();
  const since = new Date(Math.floor(opened / HOUR) * HOUR - 24 * HOUR).toISOString();
  const until = new Date(Math.min(Date.now(), opened + 24 * HOUR)).toISOString();
  const state = useData(
    () =>
      api.get('/api/v1/trends', { dim: 'touchpoint', key: touchpoint, bucket: '1h', since, until }),
    [touchpoint, since],
  );
  return html`<${Panel} title=${t('alert.chart', { name: alert.touchpoint.label[lang] })}>
    <${DataState} state=${state}>${(trends) => html`<${Lines} trends=${trends} />`}<//>
  <//>`;
}

function Lines({ trends }) {
  const { t } = useApp();
  const { times, series } = useMemo(() => {
    const s = trends.data[0];
    if (!s) return { times: [], series: [] };
    return {
      times: s.data.map((p) => new Date(p.start).getTime() / 1000),
      series: [
        { label: t('metric.negative'), color: PALETTE[1], values: s.data.map((p) => p.negative) },
        ...(s.previous
          ? [
              {
                label: t('trends.previous'),
                color: PALETTE[5],
                dash: true,
                values: s.previous.data.map((p) => p.negative),
              },
            ]
          : []),
      ],
    };
  }, [trends, t]);
  return html`<${LineChart} times=${times} series=${series} height=${200} />`;
}
