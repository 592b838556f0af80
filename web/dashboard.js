/**
 * Maillon's dashboard: one page over the public API, no build step. Two views:
 * - `#/`: open alerts, negative mentions per touchpoint over the period (chart and table), and
 *   the sources' health with their operational alerts;
 * - `#/alerts/<id>`: one alert with its evidence, quotes, history, the touchpoint's chart around
 *   the opening, and the community manager's actions (acknowledge, snooze, resolve, comment);
 * - `#/touchpoints/<id>`: one touchpoint over the period, its alerts marked, and what people
 *   wrote about it (negative mentions first).
 * Everything people wrote is inserted as text, never as HTML, and only http(s) links are linked.
 */
/* global uPlot */

const TEXT = {
  en: {
    tagline: 'the weak link, before it spreads',
    period: 'Period',
    language: 'Language',
    footer: 'Data from the Maillon API:',
    openAlerts: 'Open alerts',
    noOpenAlerts: 'No open alert: no touchpoint is spreading negative word of mouth.',
    recentlyResolved: 'Recently resolved',
    negativesPerTouchpoint: 'Negative mentions per touchpoint',
    touchpoint: 'Touchpoint',
    stage: 'Stage',
    mentions: 'Mentions',
    negatives: 'Negative',
    positives: 'Positive',
    negativeShare: 'Negative share',
    sources: 'Sources',
    source: 'Source',
    lastSuccess: 'Last success',
    failures: 'Failures in a row',
    lastError: 'Last error',
    status: 'Status',
    last24h: 'Mentions (24 h)',
    statusOk: 'working',
    statusFailing: 'failing',
    statusBackingOff: 'waiting (asked to slow down)',
    statusPaused: 'paused',
    statusWaiting: 'not polled yet',
    until: 'until',
    operational: 'Operational alerts',
    opened: 'opened',
    resolved: 'resolved',
    why: 'Why',
    quotes: 'What people write',
    history: 'History',
    acknowledge: 'Acknowledge',
    snooze: 'Snooze 4 h',
    resolve: 'Resolve',
    comment: 'Comment',
    yourName: 'Your name',
    back: '← All alerts',
    aroundOpening: 'Around the opening (15-minute buckets)',
    never: 'never',
    loadFailed: 'Could not load',
    noData: 'No mention in this period.',
    perSource: 'Mentions per source',
    mentionsAbout: 'What people wrote',
    onlyNegative: 'Negative only',
    all: 'All',
  },
  fr: {
    tagline: 'le maillon faible, avant qu’il ne se propage',
    period: 'Période',
    language: 'Langue',
    footer: 'Données de l’API Maillon :',
    openAlerts: 'Alertes ouvertes',
    noOpenAlerts:
      'Aucune alerte ouverte : aucun point de contact ne propage de bouche-à-oreille négatif.',
    recentlyResolved: 'Résolues récemment',
    negativesPerTouchpoint: 'Mentions négatives par point de contact',
    touchpoint: 'Point de contact',
    stage: 'Étape',
    mentions: 'Mentions',
    negatives: 'Négatives',
    positives: 'Positives',
    negativeShare: 'Part négative',
    sources: 'Sources',
    source: 'Source',
    lastSuccess: 'Dernier succès',
    failures: 'Échecs consécutifs',
    lastError: 'Dernière erreur',
    status: 'État',
    last24h: 'Mentions (24 h)',
    statusOk: 'fonctionne',
    statusFailing: 'en échec',
    statusBackingOff: 'en attente (ralentir demandé)',
    statusPaused: 'en pause',
    statusWaiting: 'pas encore interrogée',
    until: 'jusqu’à',
    operational: 'Alertes d’exploitation',
    opened: 'ouverte',
    resolved: 'résolue',
    why: 'Pourquoi',
    quotes: 'Ce que les gens écrivent',
    history: 'Historique',
    acknowledge: 'Prendre en charge',
    snooze: 'Mettre en pause 4 h',
    resolve: 'Résoudre',
    comment: 'Commenter',
    yourName: 'Votre nom',
    back: '← Toutes les alertes',
    aroundOpening: 'Autour de l’ouverture (tranches de 15 minutes)',
    never: 'jamais',
    loadFailed: 'Chargement impossible',
    noData: 'Aucune mention sur cette période.',
    perSource: 'Mentions par source',
    mentionsAbout: 'Ce que les gens ont écrit',
    onlyNegative: 'Négatives seulement',
    all: 'Toutes',
  },
};
const COLORS = ['#c0392b', '#2471a3', '#d68910', '#7d3c98', '#148f77', '#839192', '#a04000'];

const state = {
  lang: localStorage.getItem('maillon.lang') === 'fr' ? 'fr' : 'en',
  days: Number(localStorage.getItem('maillon.days') ?? 7) || 7,
  touchpoints: new Map(),
  charts: [],
};
const t = (key) => TEXT[state.lang][key] ?? key;

/** Builds an element; children are nodes or strings (inserted as text). */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat()) {
    if (c !== undefined && c !== null && c !== false) el.append(c);
  }
  return el;
}

/** A link only when the URL is http(s); anything else stays text. */
function safeLink(url, label) {
  try {
    const u = new URL(url);
    if (u.protocol === 'http:' || u.protocol === 'https:') {
      return h('a', { href: u.href, target: '_blank', rel: 'noopener noreferrer' }, label);
    }
  } catch {
    // not a URL
  }
  return label;
}

async function api(path, init) {
  const res = await fetch(path, {
    ...init,
    headers: { 'content-type': 'application/json', ...init?.headers },
  });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body?.error?.message ?? `${res.status} ${res.statusText}`);
  return body;
}

const when = (iso) =>
  iso
    ? new Date(iso).toLocaleString(state.lang === 'fr' ? 'fr-FR' : 'en-GB', {
        dateStyle: 'medium',
        timeStyle: 'short',
      })
    : t('never');
const fmtNumber = (n) => n.toLocaleString(state.lang === 'fr' ? 'fr-FR' : 'en-GB');
const label = (id) => state.touchpoints.get(id)?.label?.[state.lang] ?? id;
const pct = (x) => `${Math.round(x * 100)}%`;

function severityBadge(severity, status) {
  return h(
    'span',
    { class: `badge ${severity} ${status ?? ''}` },
    severity,
    status ? ` · ${status}` : '',
  );
}

/** A line chart of several series over time, with vertical markers (alert openings). */
function chart(container, { times, series, markers = [], height = 260 }) {
  const width = Math.max(320, container.clientWidth || 800);
  const opts = {
    width,
    height,
    scales: { x: { time: true } },
    series: [
      {},
      ...series.map((s, i) => ({
        label: s.label,
        stroke: s.color ?? COLORS[i % COLORS.length],
        width: 2,
        fill: s.fill,
      })),
    ],
    axes: [{}, { label: axisLabel(series) }],
    plugins: [markerPlugin(markers)],
  };
  const plot = new uPlot(opts, [times, ...series.map((s) => s.values)], container);
  state.charts.push(plot);
  return plot;
}
/** One touchpoint's negatives (shaded) and positives over time, from trend points. */
function sentimentChart(container, points, markers) {
  return chart(container, {
    times: points.map((p) => Date.parse(p.start) / 1000),
    series: [
      {
        label: t('negatives'),
        values: points.map((p) => p.negative),
        color: '#c0392b',
        fill: 'rgba(192,57,43,0.12)',
      },
      { label: t('positives'), values: points.map((p) => p.positive), color: '#148f77' },
    ],
    markers,
  });
}

/** A y-axis title only when one series is drawn; several are named by the legend. */
const axisLabel = (series) => (series.length === 1 ? series[0].label : '');

function markerPlugin(markers) {
  return {
    hooks: {
      draw: (u) => {
        const { ctx } = u;
        ctx.save();
        for (const m of markers) {
          const x = u.valToPos(m.at, 'x', true);
          if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
          ctx.strokeStyle = m.color ?? '#c0392b';
          ctx.setLineDash([4, 4]);
          ctx.lineWidth = 1.5 * devicePixelRatio;
          ctx.beginPath();
          ctx.moveTo(x, u.bbox.top);
          ctx.lineTo(x, u.bbox.top + u.bbox.height);
          ctx.stroke();
          ctx.setLineDash([]);
          ctx.fillStyle = m.color ?? '#c0392b';
          ctx.font = `${11 * devicePixelRatio}px sans-serif`;
          ctx.fillText(m.text, x + 4 * devicePixelRatio, u.bbox.top + 12 * devicePixelRatio);
        }
        ctx.restore();
      },
    },
  };
}

function alertCard(a) {
  const tp = a.touchpoint;
  return h(
    'article',
    { class: `alert-card ${a.severity}` },
    h(
      'h3',
      {},
      h('a', { href: `#/alerts/${a.id}` }, tp ? label(tp.id) : a.title),
      ' ',
      severityBadge(a.severity, a.status),
    ),
    h(
      'p',
      { class: 'muted' },
      tp ? `${t('stage')}: ${tp.stage} · ` : '',
      `${t('opened')} ${when(a.openedAt)}`,
      a.resolvedAt ? ` · ${t('resolved')} ${when(a.resolvedAt)}` : '',
    ),
    // The API's words for the alert (src/alerts/explain.ts), the same as Slack's.
    h('p', { class: 'summary' }, a.summary?.[state.lang] ?? ''),
    a.evidence?.quotes?.[0] ? h('blockquote', {}, `“${a.evidence.quotes[0].quote}”`) : null,
  );
}

async function renderOverview(view) {
  const until = new Date();
  const since = new Date(until.getTime() - state.days * 86_400_000);
  const bucket = state.days <= 7 ? '1h' : '1d';
  const q = `since=${since.toISOString()}&until=${until.toISOString()}`;
  const [alerts, trends, bySource, sources, ops] = await Promise.all([
    api('api/v1/alerts?kind=weak-link&limit=50'),
    api(`api/v1/trends?dim=touchpoint&bucket=${bucket}&${q}`),
    api(`api/v1/trends?dim=source&bucket=${bucket}&${q}`),
    api('api/v1/sources'),
    api('api/v1/alerts?kind=operational&limit=20'),
  ]);
  const live = alerts.data.filter((a) => a.status !== 'resolved');
  const resolved = alerts.data.filter((a) => a.status === 'resolved').slice(0, 6);

  const chartBox = h('div', { class: 'chart' });
  const top = trends.data.filter((s) => s.totals.negative > 0).slice(0, 6);
  view.replaceChildren(
    h(
      'section',
      {},
      h('h2', {}, t('openAlerts'), ` (${live.length})`),
      live.length
        ? h('div', { class: 'cards' }, live.map(alertCard))
        : h('p', { class: 'ok' }, t('noOpenAlerts')),
      resolved.length
        ? h(
            'details',
            {},
            h('summary', {}, t('recentlyResolved')),
            h('div', { class: 'cards' }, resolved.map(alertCard)),
          )
        : null,
    ),
    h(
      'section',
      {},
      h('h2', {}, t('negativesPerTouchpoint')),
      top.length ? chartBox : h('p', { class: 'muted' }, t('noData')),
      touchpointTable(trends.data),
    ),
    h(
      'section',
      {},
      h('h2', {}, t('sources')),
      sourcesTable(sources.data),
      h('h3', {}, t('perSource')),
      totalsTable(
        t('source'),
        bySource.data.map((s) => ({ name: s.key, totals: s.totals })),
      ),
      ops.data.some((a) => a.status !== 'resolved')
        ? h(
            'div',
            {},
            h('h3', {}, t('operational')),
            h(
              'ul',
              {},
              ops.data
                .filter((a) => a.status !== 'resolved')
                .map((a) =>
                  h(
                    'li',
                    {},
                    severityBadge(a.severity, a.status),
                    ' ',
                    a.summary?.[state.lang] ?? a.title,
                    ` (${when(a.openedAt)})`,
                  ),
                ),
            ),
          )
        : null,
    ),
  );
  if (top.length) {
    const times = top[0].data.map((p) => Date.parse(p.start) / 1000);
    const markers = alerts.data
      .filter((a) => a.touchpoint && Date.parse(a.openedAt) >= since.getTime())
      .map((a) => ({ at: Date.parse(a.openedAt) / 1000, text: `⚠ ${label(a.touchpoint.id)}` }));
    chart(chartBox, {
      times,
      series: top.map((s) => ({ label: label(s.key), values: s.data.map((p) => p.negative) })),
      markers,
    });
  }
}

/** Mentions, negatives, positives and negative share per row. */
function totalsTable(first, rows, extra = []) {
  return h(
    'table',
    {},
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        [
          first,
          ...extra.map((e) => e.head),
          t('mentions'),
          t('negatives'),
          t('positives'),
          t('negativeShare'),
        ].map((c) => h('th', {}, c)),
      ),
    ),
    h(
      'tbody',
      {},
      rows.map((r) =>
        h(
          'tr',
          {},
          h('td', {}, r.name),
          extra.map((e) => h('td', {}, e.cell(r))),
          h('td', { class: 'num' }, String(r.totals.volume)),
          h('td', { class: 'num' }, String(r.totals.negative)),
          h('td', { class: 'num' }, String(r.totals.positive)),
          h(
            'td',
            { class: 'num' },
            r.totals.volume ? pct(r.totals.negative / r.totals.volume) : '–',
          ),
        ),
      ),
    ),
  );
}

function touchpointTable(series) {
  const byId = new Map(series.map((s) => [s.key, s.totals]));
  const rows = [...state.touchpoints.values()]
    .map((tp) => ({
      tp,
      name: h('a', { href: `#/touchpoints/${tp.id}` }, tp.label[state.lang]),
      totals: byId.get(tp.id) ?? { volume: 0, negative: 0, positive: 0 },
    }))
    .toSorted((a, b) => b.totals.negative - a.totals.negative || b.totals.volume - a.totals.volume);
  return totalsTable(t('touchpoint'), rows, [{ head: t('stage'), cell: (r) => r.tp.stage }]);
}

const SOURCE_STATUS = {
  ok: 'statusOk',
  failing: 'statusFailing',
  'backing-off': 'statusBackingOff',
  paused: 'statusPaused',
  waiting: 'statusWaiting',
};

/** Each source: what it reads, whether it works, and why not (the error is the source's words). */
function sourcesTable(sources) {
  return h(
    'table',
    {},
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        [
          t('source'),
          t('status'),
          t('lastSuccess'),
          t('last24h'),
          t('failures'),
          t('lastError'),
        ].map((c) => h('th', {}, c)),
      ),
    ),
    h(
      'tbody',
      {},
      sources.map((s) => {
        const st = s.state ?? {};
        const status = t(SOURCE_STATUS[s.status] ?? 'statusWaiting');
        return h(
          'tr',
          { class: s.status === 'failing' || s.status === 'backing-off' ? 'failing' : '' },
          h(
            'td',
            {},
            h('strong', {}, s.id),
            ` (${s.kind})`,
            h('div', { class: 'muted' }, s.target ?? ''),
          ),
          h(
            'td',
            {},
            st.backoffUntil ? `${status} ${t('until')} ${when(st.backoffUntil)}` : status,
          ),
          h('td', {}, when(st.lastSuccessAt)),
          h('td', { class: 'num' }, fmtNumber(st.mentionsLast24h ?? 0)),
          h('td', { class: 'num' }, fmtNumber(st.consecutiveFailures ?? 0)),
          h('td', {}, st.lastError?.message ?? ''),
        );
      }),
    ),
  );
}

async function renderAlert(view, id) {
  const a = await api(`api/v1/alerts/${encodeURIComponent(id)}`);
  const chartBox = h('div', { class: 'chart' });
  const name = h('input', {
    placeholder: t('yourName'),
    value: localStorage.getItem('maillon.name') ?? '',
    required: true,
  });
  const note = h('textarea', { rows: 2, placeholder: t('comment') });
  const status = h('p', { class: 'muted', role: 'status' });
  const act =
    (path, extra = {}) =>
    async () => {
      const by = name.value.trim();
      if (!by) {
        name.focus();
        return;
      }
      localStorage.setItem('maillon.name', by);
      const text = note.value.trim();
      try {
        await api(`api/v1/alerts/${a.id}/${path}`, {
          method: 'POST',
          body: JSON.stringify({ by, ...(text ? { text } : {}), ...extra }),
        });
        await route();
      } catch (err) {
        status.textContent = String(err.message ?? err);
      }
    };
  const ev = a.evidence ?? {};
  view.replaceChildren(
    h('p', {}, h('a', { href: '#/' }, t('back'))),
    h(
      'section',
      {},
      h(
        'h2',
        {},
        a.touchpoint ? label(a.touchpoint.id) : a.title,
        ' ',
        severityBadge(a.severity, a.status),
      ),
      h(
        'p',
        { class: 'muted' },
        a.touchpoint ? `${t('stage')}: ${a.touchpoint.stage} · ` : '',
        `${t('opened')} ${when(a.openedAt)}`,
        a.resolvedAt ? ` · ${t('resolved')} ${when(a.resolvedAt)}` : '',
      ),
      a.touchpoint ? h('div', {}, h('h3', {}, t('aroundOpening')), chartBox) : null,
      h('h3', {}, t('why')),
      h('p', { class: 'summary' }, a.summary?.[state.lang] ?? ''),
      h(
        'h3',
        {},
        t('quotes'),
        a.touchpoint
          ? [' · ', h('a', { href: `#/touchpoints/${a.touchpoint.id}` }, t('mentionsAbout'))]
          : null,
      ),
      h(
        'div',
        { class: 'quotes' },
        (ev.quotes ?? []).map((q) =>
          h(
            'blockquote',
            {},
            `“${q.quote}”`,
            h(
              'footer',
              {},
              `${q.author} · `,
              safeLink(q.url, q.source),
              ` · ${when(q.publishedAt)}`,
            ),
          ),
        ),
      ),
      h('h3', {}, t('history')),
      h(
        'ol',
        { class: 'history' },
        (a.history ?? []).map((e) =>
          h(
            'li',
            {},
            `${when(e.at)} · ${e.kind}`,
            e.severity ? ` (${e.severity})` : '',
            e.by ? ` · ${e.by}` : '',
            e.text ? `: ${e.text}` : '',
          ),
        ),
      ),
      a.kind === 'weak-link'
        ? h(
            'form',
            { class: 'actions', onsubmit: (e) => e.preventDefault() },
            name,
            note,
            h(
              'div',
              {},
              h('button', { type: 'button', onclick: act('acknowledge') }, t('acknowledge')),
              h(
                'button',
                { type: 'button', onclick: act('snooze', { minutes: 240 }) },
                t('snooze'),
              ),
              h('button', { type: 'button', onclick: act('resolve') }, t('resolve')),
              h('button', { type: 'button', onclick: act('comments') }, t('comment')),
            ),
            status,
          )
        : null,
    ),
  );
  if (a.touchpoint) {
    const opened = Date.parse(a.openedAt);
    const end = Math.min(
      Date.now(),
      (a.resolvedAt ? Date.parse(a.resolvedAt) : Date.now()) + 6 * 3_600_000,
    );
    const since = new Date(opened - 18 * 3_600_000).toISOString();
    const until = new Date(Math.max(end, opened + 3_600_000)).toISOString();
    const tr = await api(
      `api/v1/trends?dim=touchpoint&key=${encodeURIComponent(a.touchpoint.id)}&bucket=15m&since=${since}&until=${until}`,
    );
    const s = tr.data[0];
    if (s) {
      sentimentChart(chartBox, s.data, [{ at: opened / 1000, text: `⚠ ${t('opened')}` }]);
    }
  }
}

async function renderTouchpoint(view, id) {
  const tp = state.touchpoints.get(id);
  if (!tp) throw new Error(`unknown touchpoint ${id}`);
  const until = new Date();
  const since = new Date(until.getTime() - state.days * 86_400_000);
  const bucket = state.days <= 7 ? '1h' : '1d';
  const q = `since=${since.toISOString()}&until=${until.toISOString()}`;
  const onlyNegative = !location.hash.endsWith('/all');
  const [trend, alerts, mentions] = await Promise.all([
    api(`api/v1/trends?dim=touchpoint&key=${encodeURIComponent(id)}&bucket=${bucket}&${q}`),
    api(`api/v1/alerts?kind=weak-link&touchpoint=${encodeURIComponent(id)}&limit=50`),
    api(
      `api/v1/mentions?touchpoint=${encodeURIComponent(id)}&${q}&limit=50${onlyNegative ? '&sentiment=negative' : ''}`,
    ),
  ]);
  const chartBox = h('div', { class: 'chart' });
  const s = trend.data[0];
  view.replaceChildren(
    h('p', {}, h('a', { href: '#/' }, t('back'))),
    h(
      'section',
      {},
      h('h2', {}, tp.label[state.lang]),
      h(
        'p',
        { class: 'muted' },
        `${t('stage')}: ${tp.stage}`,
        s
          ? ` · ${t('mentions')}: ${s.totals.volume} · ${t('negatives')}: ${s.totals.negative}`
          : '',
      ),
      s ? chartBox : h('p', { class: 'muted' }, t('noData')),
      alerts.data.length
        ? h('div', { class: 'cards' }, alerts.data.slice(0, 6).map(alertCard))
        : null,
      h(
        'h3',
        {},
        t('mentionsAbout'),
        ' · ',
        h('a', { href: `#/touchpoints/${id}` }, t('onlyNegative')),
        ' · ',
        h('a', { href: `#/touchpoints/${id}/all` }, t('all')),
      ),
      h(
        'div',
        { class: 'quotes' },
        mentions.data.map((m) => {
          const about = (m.touchpoints ?? []).find((x) => x.id === id);
          const feel = about?.sentiment?.label ?? m.sentiment?.label ?? 'neutral';
          return h(
            'blockquote',
            { class: `mention ${feel}` },
            m.text.length > 400 ? `${m.text.slice(0, 400)}…` : m.text,
            h(
              'footer',
              {},
              h('span', { class: `badge ${feel}` }, feel),
              ` ${m.author?.name ?? m.author?.id ?? ''} · `,
              safeLink(m.url, m.source),
              ` · ${when(m.publishedAt)}`,
            ),
          );
        }),
      ),
    ),
  );
  if (s) {
    sentimentChart(
      chartBox,
      s.data,
      alerts.data
        .filter((a) => Date.parse(a.openedAt) >= since.getTime())
        .map((a) => ({ at: Date.parse(a.openedAt) / 1000, text: `⚠ ${a.severity}` })),
    );
  }
}

async function route() {
  for (const c of state.charts.splice(0)) c.destroy();
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  document.documentElement.lang = state.lang;
  const view = document.getElementById('view');
  const alertRoute = /^#\/alerts\/([\w-]+)$/.exec(location.hash);
  const touchpointRoute = /^#\/touchpoints\/([\w-]+)(?:\/all)?$/.exec(location.hash);
  try {
    if (state.touchpoints.size === 0) {
      const tps = await api('api/v1/touchpoints');
      for (const tp of tps.data) state.touchpoints.set(tp.id, tp);
    }
    if (alertRoute) await renderAlert(view, alertRoute[1]);
    else if (touchpointRoute) await renderTouchpoint(view, touchpointRoute[1]);
    else await renderOverview(view);
    document.body.dataset.ready = 'true';
  } catch (err) {
    view.replaceChildren(h('p', { class: 'error' }, `${t('loadFailed')}: ${err.message ?? err}`));
  }
}

const periodSelect = document.getElementById('period');
const langSelect = document.getElementById('lang');
periodSelect.value = String(state.days);
langSelect.value = state.lang;
periodSelect.addEventListener('change', () => {
  state.days = Number(periodSelect.value);
  localStorage.setItem('maillon.days', String(state.days));
  void route();
});
langSelect.addEventListener('change', () => {
  state.lang = langSelect.value === 'fr' ? 'fr' : 'en';
  localStorage.setItem('maillon.lang', state.lang);
  void route();
});
window.addEventListener('hashchange', () => void route());
// Community managers keep the page open: the overview refreshes itself every 30 s.
setInterval(() => {
  if (!location.hash.startsWith('#/alerts/') && document.visibilityState === 'visible')
    void route();
}, 30_000);
void route();
