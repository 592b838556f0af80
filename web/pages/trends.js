/**
 * Trends for marketers: one figure (complaints, volume, negative share, mean sentiment, reach)
 * per touchpoint, stage or source over a period, the previous period dashed beside it, the
 * totals with their change; and the share of voice against competitors below.
 */
import { html, useMemo } from '../lib/preact.js';
import { api } from '../lib/api.js';
import { useApp } from '../lib/context.js';
import { replaceQuery } from '../lib/router.js';
import { useData } from '../lib/use-data.js';
import { LineChart, PALETTE } from '../components/chart.js';
import { Segmented, Select } from '../components/filters.js';
import { DataState, Panel, Table } from '../components/ui.js';
import { QualityPanel } from './quality-panel.js';
import { ShareOfVoice } from './share-of-voice.js';
import { Change, MAX_LINES, METRICS, PERIODS, periodOf } from './trend-periods.js';

export function TrendsPage({ query }) {
  const { t } = useApp();
  const dim = ['touchpoint', 'stage', 'source'].includes(query.dim) ? query.dim : 'touchpoint';
  const metric = METRICS.includes(query.metric) ? query.metric : 'negative';
  const { period, bucket, since, until } = periodOf(query);
  const state = useData(
    () => api.get('/api/v1/trends', { dim, bucket, since, until, key: query.key }),
    [dim, bucket, since, query.key],
  );
  const set = (name, value) =>
    replaceQuery({
      ...query,
      [name]: value || undefined,
      ...(name === 'dim' ? { key: undefined } : {}),
    });

  return html`<div class="page trends-page">
    <div class="toolbar">
      <${Segmented}
        label=${t('trends.period')}
        value=${period}
        options=${Object.keys(PERIODS).map((p) => ({ value: p, label: t(`period.${p}`) }))}
        onChange=${(v) => set('period', v)}
      />
      <${Segmented}
        label=${t('trends.bucket')}
        value=${bucket}
        options=${PERIODS[period].buckets.map((b) => ({ value: b, label: t(`bucket.${b}`) }))}
        onChange=${(v) => set('bucket', v)}
      />
      <${Select}
        name="dim"
        label=${t('trends.by')}
        value=${dim}
        any=${false}
        options=${['touchpoint', 'stage', 'source'].map((d) => ({ value: d, label: t(`dim.${d}`) }))}
        onChange=${set}
      />
      <${Select}
        name="metric"
        label=${t('trends.metric')}
        value=${metric}
        any=${false}
        options=${METRICS.map((m) => ({ value: m, label: t(`metric.${m}`) }))}
        onChange=${set}
      />
    </div>
    <${Panel} title=${t(`metric.${metric}`)}>
      <${DataState} state=${state} isEmpty=${(d) => d.data.length === 0} empty=${t('trends.none')}>
        ${(trends) => html`<${TrendView} trends=${trends} dim=${dim} metric=${metric} />`}
      <//>
    <//>
    <${ShareOfVoice} query=${query} />
    <${QualityPanel} />
  </div>`;
}

function TrendView({ trends, dim, metric }) {
  const { t, f, labels } = useApp();
  const nameOf = (key) =>
    dim === 'touchpoint' ? labels.touchpoint(key) : dim === 'stage' ? labels.stage(key) : key;
  const format =
    metric === 'negativeShare' ? f.percent : metric === 'reach' ? f.compact : f.decimal;
  const { times, series } = useMemo(() => {
    const shown = trends.data.slice(0, MAX_LINES);
    const starts = (shown[0]?.data ?? []).map((p) => new Date(p.start).getTime() / 1000);
    const lines = shown.flatMap((s, i) => [
      {
        label: nameOf(s.key),
        color: PALETTE[i % PALETTE.length],
        values: s.data.map((p) => p[metric]),
      },
      ...(s.previous
        ? [
            {
              label: `${nameOf(s.key)} (${t('trends.previous')})`,
              color: PALETTE[i % PALETTE.length],
              dash: true,
              values: s.previous.data.map((p) => p[metric]),
            },
          ]
        : []),
    ]);
    return { times: starts, series: lines };
  }, [trends, metric, t]);

  const columns = [
    { key: 'key', label: t(`dim.${dim}`), render: (s) => nameOf(s.key) },
    {
      key: 'volume',
      label: t('metric.volume'),
      className: 'num',
      render: (s) => f.number(s.totals.volume),
    },
    {
      key: 'negative',
      label: t('metric.negative'),
      className: 'num',
      render: (s) => f.number(s.totals.negative),
    },
    {
      key: 'share',
      label: t('metric.negativeShare'),
      className: 'num',
      render: (s) => f.percent(s.totals.negativeShare),
    },
    {
      key: 'mean',
      label: t('metric.meanSentiment'),
      className: 'num',
      render: (s) => f.decimal(s.totals.meanSentiment),
    },
    {
      key: 'reach',
      label: t('metric.reach'),
      className: 'num',
      render: (s) => f.compact(s.totals.reach),
    },
    {
      key: 'dv',
      label: t('trends.volumeChange'),
      className: 'num',
      render: (s) => html`<${Change} value=${s.change?.volume} format=${f.change} />`,
    },
    {
      key: 'ds',
      label: t('trends.shareChange'),
      className: 'num',
      render: (s) =>
        html`<${Change} value=${s.change?.negativeShare} format=${f.points} rise="bad" />`,
    },
  ];
  return html`<${LineChart}
      times=${times}
      series=${series}
      format=${format}
      daily=${trends.bucket !== '1h'}
    />
    <p class="muted small">
      ${t('trends.previousNote', { from: f.dateTime(trends.previous?.since), to: f.dateTime(trends.previous?.until) })}
    </p>
    <${Table} columns=${columns} rows=${trends.data} rowKey=${(s) => s.key} />`;
}
