/**
 * The small component library every page uses: buttons, badges, tables, states (loading, empty,
 * error). Texts passed in are rendered as text nodes (htm escapes), never as HTML.
 */
import { html } from '../lib/preact.js';
import { useApp } from '../lib/context.js';

export function Button({ kind = 'secondary', busy = false, disabled = false, children, ...rest }) {
  return html`<button
    type="button"
    class=${`btn btn-${kind}${busy ? ' busy' : ''}`}
    disabled=${disabled || busy}
    aria-busy=${busy ? 'true' : 'false'}
    ...${rest}
  >
    ${children}
  </button>`;
}

/** A coloured label; `tone` picks the colour (ok, watch, weak, info, warning, critical, muted). */
export function Badge({ tone = 'muted', title, children }) {
  return html`<span class=${`badge ${tone}`} title=${title}>${children}</span>`;
}

export function SeverityBadge({ severity }) {
  const { t } = useApp();
  return html`<${Badge} tone=${severity}>${t(`severity.${severity}`)}<//>`;
}

export function StatusBadge({ status }) {
  const { t } = useApp();
  return html`<span class=${`badge status ${status}`}>${t(`status.${status}`)}</span>`;
}

export function SentimentBadge({ sentiment }) {
  const { t } = useApp();
  if (!sentiment) return null;
  return html`<span class=${`badge sentiment ${sentiment}`}>${t(`sentiment.${sentiment}`)}</span>`;
}

export function HealthBadge({ state }) {
  const { t } = useApp();
  return html`<span class=${`badge health ${state}`}>${t(`health.${state}`)}</span>`;
}

/** A thin bar at the top of a panel while a request runs: the page keeps its last data. */
export function LoadingBar({ loading }) {
  const { t } = useApp();
  return loading
    ? html`<div class="loading-bar" role="progressbar" aria-label=${t('common.loading')}></div>`
    : null;
}

export function Loading() {
  const { t } = useApp();
  return html`<p class="state loading" aria-busy="true">${t('common.loading')}</p>`;
}

export function Empty({ children }) {
  const { t } = useApp();
  return html`<p class="state empty">${children ?? t('common.empty')}</p>`;
}

/** An API error in words; its message is the API's (English), so the title says what failed. */
export function ErrorBox({ error, onRetry }) {
  const { t } = useApp();
  if (!error) return null;
  const key =
    error.status === 403
      ? 'error.forbidden'
      : error.status === 404
        ? 'error.notFound'
        : 'error.failed';
  return html`<div class="state error" role="alert">
    <strong>${t(key)}</strong>
    ${error.message ? html`<span class="detail">${error.message}</span>` : null}
    ${onRetry ? html`<${Button} onClick=${onRetry}>${t('common.retry')}<//>` : null}
  </div>`;
}

/**
 * Data of a page: the loading cue, the error, the empty state, or the content. `isEmpty` says
 * when the data holds nothing worth a table.
 */
export function DataState({ state, isEmpty = () => false, empty, children }) {
  const { data, error, loading, reload } = state;
  if (!data && loading) return html`<${Loading} />`;
  if (!data && error) return html`<${ErrorBox} error=${error} onRetry=${reload} />`;
  return html`<div class=${`data-state${loading ? ' is-loading' : ''}`}>
    <${LoadingBar} loading=${loading} />
    ${error ? html`<${ErrorBox} error=${error} onRetry=${reload} />` : null}
    ${data && isEmpty(data) ? html`<${Empty}>${empty}<//>` : data ? children(data) : null}
  </div>`;
}

/**
 * A dense table. `columns`: [{ key, label, render(row), className }]; rows keyed by `rowKey`.
 */
export function Table({ columns, rows, rowKey = (r) => r.id, rowClass, onRowClick }) {
  return html`<table class="table">
    <thead>
      <tr>
        ${columns.map((c) => html`<th key=${c.key} class=${c.className}>${c.label}</th>`)}
      </tr>
    </thead>
    <tbody>
      ${rows.map(
        (r) =>
          html`<tr
            key=${rowKey(r)}
            class=${`${rowClass ? rowClass(r) : ''}${onRowClick ? ' clickable' : ''}`}
            onClick=${onRowClick ? () => onRowClick(r) : undefined}
          >
            ${columns.map((c) => html`<td key=${c.key} class=${c.className}>${c.render(r)}</td>`)}
          </tr>`,
      )}
    </tbody>
  </table>`;
}

/** A link only for http(s) URLs: anything else (javascript:, data:) stays plain text. */
export function SafeLink({ url, children }) {
  let safe = null;
  try {
    const u = new URL(url);
    if (u.protocol === 'http:' || u.protocol === 'https:') safe = u.href;
  } catch {
    // not a URL: shown as text
  }
  return safe
    ? html`<a href=${safe} target="_blank" rel="noopener noreferrer">${children}</a>`
    : html`<span>${children}</span>`;
}

/** A panel with a title and actions on its right. */
export function Panel({ title, actions, className = '', children }) {
  return html`<section class=${`panel ${className}`}>
    ${
      title || actions
        ? html`<header class="panel-head">
            ${title ? html`<h2>${title}</h2>` : null}
            <div class="panel-actions">${actions}</div>
          </header>`
        : null
    }
    ${children}
  </section>`;
}
