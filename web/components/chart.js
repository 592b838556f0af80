/**
 * A uPlot line chart as a component. Times are drawn on the brand's clock (uPlot.tzDate) and
 * labelled with our formatters, not uPlot's defaults ("2pm" in English only). `series`:
 * [{ label, values, color, dash }], a dashed line for the previous period.
 */
import uPlot from '../vendor/uplot/uPlot.esm.js';
import { html, useEffect, useRef } from '../lib/preact.js';
import { useApp } from '../lib/context.js';

export const PALETTE = [
  '#3454d1',
  '#c0392b',
  '#d68910',
  '#7d3c98',
  '#148f77',
  '#5d6d7e',
  '#a04000',
  '#1e8449',
];

export function LineChart({ times, series, height = 240, yLabel, format, daily = false }) {
  const { f, t } = useApp();
  const box = useRef(null);
  useEffect(() => {
    const el = box.current;
    if (!el || times.length === 0) return undefined;
    const valueOf = format ?? f.decimal;
    // A tick at the brand's midnight names the day; the others say the hour.
    const tick = (ms) => {
      const time = f.time(ms);
      if (time === '00:00') return f.day(ms);
      // Points a day or a week apart: an hour between them means nothing.
      return daily ? '' : time;
    };
    const opts = {
      width: Math.max(320, el.clientWidth || 800),
      height,
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), f.timeZone),
      scales: { x: { time: true } },
      legend: { live: true },
      series: [
        {
          label: t('chart.time'),
          value: (_u, v) => (v === null || v === undefined ? '—' : f.dateTime(v * 1000)),
        },
        ...series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: s.dash ? 1.5 : 2,
          dash: s.dash ? [6, 4] : undefined,
          value: (_u, v) => (v === null || v === undefined ? '—' : valueOf(v)),
        })),
      ],
      axes: [
        // Ticks through our formatter: uPlot's own would say "2pm" whatever the language.
        { space: 70, values: (_u, splits) => splits.map((s) => tick(s * 1000)) },
        { label: yLabel, values: (_u, splits) => splits.map((v) => valueOf(v)) },
      ],
    };
    const plot = new uPlot(opts, [times, ...series.map((s) => s.values)], el);
    const resize = new ResizeObserver(() =>
      plot.setSize({ width: Math.max(320, el.clientWidth), height }),
    );
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [times, series, height, yLabel, f, t, daily]);
  return html`<div class="chart" ref=${box}></div>`;
}
