/**
 * The alert inbox: tabs by status (an acknowledged alert is not "open"), filters, newest first,
 * paged by cursor. Each row says the alert in words (its summary); a click opens it.
 */
import { html } from '../lib/preact.js';
import { api } from '../lib/api.js';
import { useApp } from '../lib/context.js';
import { navigate, replaceQuery } from '../lib/router.js';
import { useData } from '../lib/use-data.js';
import { FiltersBar, Select } from '../components/filters.js';
import { Pager, useCursorPages } from '../components/pager.js';
import { DataState, Panel, SeverityBadge, StatusBadge, Table } from '../components/ui.js';

const STATUSES = ['open', 'acknowledged', 'snoozed', 'resolved'];

export function AlertsPage({ query }) {
  const { t, lang, f, workspace, user, labels } = useApp();
  const status = query.status ?? 'open';
  const filters = {
    status: status === 'all' ? undefined : status,
    severity: query.severity,
    kind: query.kind,
    touchpoint: query.touchpoint,
    assignee: query.assignee,
  };
  const filterKey = JSON.stringify(filters);
  const pages = useCursorPages(filterKey);
  const state = useData(
    () => api.get('/api/v1/alerts', { ...filters, limit: 25, cursor: pages.cursor ?? undefined }),
    [filterKey, pages.cursor],
    { refreshMs: 30_000 },
  );
  const set = (name, value) => replaceQuery({ ...query, [name]: value || undefined });

  const columns = [
    {
      key: 'severity',
      label: t('alerts.severity'),
      render: (a) => html`<${SeverityBadge} severity=${a.severity} />`,
    },
    {
      key: 'what',
      label: t('alerts.what'),
      render: (a) =>
        html`<div class="alert-what">
          <strong>${a.touchpoint ? a.touchpoint.label[lang] : (a.sourceId ?? a.title)}</strong>
          <span class="summary">${a.summary[lang]}</span>
        </div>`,
    },
    {
      key: 'opened',
      label: t('alerts.opened'),
      className: 'nowrap',
      render: (a) => f.dateTime(a.openedAt),
    },
    {
      key: 'status',
      label: t('alerts.status'),
      render: (a) => html`<${StatusBadge} status=${a.status} />`,
    },
    {
      key: 'assignee',
      label: t('alerts.assignee'),
      render: (a) => a.assignee?.name ?? html`<span class="muted">—</span>`,
    },
  ];

  return html`<div class="page alerts-page">
    <div class="tabs" role="tablist">
      ${[...STATUSES, 'all'].map(
        (s) =>
          html`<button
            key=${s}
            type="button"
            role="tab"
            class=${s === status ? 'active' : ''}
            aria-selected=${s === status ? 'true' : 'false'}
            data-status=${s}
            onClick=${() => set('status', s === 'open' ? '' : s)}
          >
            ${t(s === 'all' ? 'alerts.all' : `alerts.tab.${s}`)}
          </button>`,
      )}
    </div>
    <${FiltersBar} onReset=${() => replaceQuery(status === 'open' ? {} : { status })}>
      <${Select}
        name="severity"
        label=${t('alerts.severity')}
        value=${query.severity}
        options=${['critical', 'warning', 'info'].map((s) => ({ value: s, label: t(`severity.${s}`) }))}
        onChange=${set}
      />
      <${Select}
        name="kind"
        label=${t('alerts.kind')}
        value=${query.kind}
        options=${['weak-link', 'operational'].map((k) => ({ value: k, label: t(`alertKind.${k}`) }))}
        onChange=${set}
      />
      <${Select}
        name="touchpoint"
        label=${t('common.touchpoint')}
        value=${query.touchpoint}
        options=${workspace.touchpoints.map((tp) => ({ value: tp.id, label: labels.touchpoint(tp.id) }))}
        onChange=${set}
      />
      <${Select}
        name="assignee"
        label=${t('alerts.assignee')}
        value=${query.assignee}
        options=${[{ value: user.id, label: t('alerts.assignedToMe') }]}
        onChange=${set}
      />
    <//>
    <${Panel} title=${t(status === 'all' ? 'alerts.all' : `alerts.tab.${status}`)}>
      <${DataState}
        state=${state}
        isEmpty=${(d) => d.data.length === 0}
        empty=${t(`alerts.none.${status}`)}
      >
        ${(page) =>
          html`<${Table}
              columns=${columns}
              rows=${page.data}
              rowClass=${(a) => `alert-row ${a.severity} ${a.status}`}
              onRowClick=${(a) => navigate('alerts', a.id)}
            />
            <${Pager} pages=${pages} nextCursor=${page.nextCursor} count=${page.data.length} />`}
      <//>
    <//>
  </div>`;
}
