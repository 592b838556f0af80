/**
 * Sources: how each is doing (status, last success, last error in the source's own words, the
 * mentions of the last 24 hours), and for managers: add, test (fetch once, store nothing),
 * pause or resume, remove one added here. Dead deliveries below, to send again.
 */
import { html, useState } from '../lib/preact.js';
import { api } from '../lib/api.js';
import { useApp } from '../lib/context.js';
import { useData } from '../lib/use-data.js';
import { Button, DataState, ErrorBox, Panel, Table } from '../components/ui.js';
import { AddSourceDialog, TestResultDialog } from './source-dialogs.js';
import { DeadDeliveries } from './deliveries.js';

export function SourcesPage() {
  const { t, f, can } = useApp();
  const state = useData(() => api.get('/api/v1/sources'), []);
  const [adding, setAdding] = useState(false);
  const [testing, setTesting] = useState(null);
  const [busy, setBusy] = useState('');
  const [error, setError] = useState(null);

  const act = async (id, what, call) => {
    setBusy(`${what}:${id}`);
    setError(null);
    try {
      const r = await call();
      if (what === 'test') setTesting({ id, result: r });
      state.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy('');
    }
  };
  const path = (id) => `/api/v1/sources/${encodeURIComponent(id)}`;

  const columns = [
    {
      key: 'id',
      label: t('sources.source'),
      render: (s) =>
        html`<strong>${s.id}</strong>
          <div class="muted small">${t(`sourceKind.${s.kind}`)}</div>`,
    },
    {
      key: 'target',
      label: t('sources.target'),
      className: 'wrap',
      render: (s) => html`<span class="mono small">${s.target}</span>`,
    },
    {
      key: 'status',
      label: t('sources.status'),
      render: (s) =>
        html`<span class=${`badge source-status ${s.status}`}
          >${t(`sourceStatus.${s.status}`)}</span
        >`,
    },
    {
      key: 'last',
      label: t('sources.lastSuccess'),
      className: 'nowrap',
      render: (s) => f.dateTime(s.state.lastSuccessAt),
    },
    {
      key: 'n24',
      label: t('sources.last24h'),
      className: 'num',
      render: (s) => f.number(s.state.mentionsLast24h),
    },
    {
      key: 'error',
      label: t('sources.lastError'),
      className: 'wrap',
      render: (s) =>
        s.state.lastError && s.state.consecutiveFailures > 0
          ? html`<span class="source-error">${s.state.lastError.message}</span>
              <div class="muted small">
                ${t('sources.failures', { n: s.state.consecutiveFailures, at: f.dateTime(s.state.lastError.at) })}
              </div>`
          : html`<span class="muted">—</span>`,
    },
    ...(can('manager')
      ? [
          {
            key: 'actions',
            label: '',
            className: 'actions nowrap',
            render: (s) =>
              html`<${Button}
                  busy=${busy === `test:${s.id}`}
                  onClick=${() => act(s.id, 'test', () => api.post(`${path(s.id)}/test`))}
                  >${t('sources.test')}<//
                >
                <${Button}
                  busy=${busy === `pause:${s.id}`}
                  onClick=${() => act(s.id, 'pause', () => api.patch(path(s.id), { enabled: !s.enabled }))}
                  >${t(s.enabled ? 'sources.pause' : 'sources.resume')}<//
                >
                ${
                  s.origin === 'api'
                    ? html`<${Button}
                        kind="danger"
                        busy=${busy === `delete:${s.id}`}
                        onClick=${() => confirm(t('sources.confirmDelete', { id: s.id })) && act(s.id, 'delete', () => api.del(path(s.id)))}
                        >${t('common.remove')}<//
                      >`
                    : null
                }`,
          },
        ]
      : []),
  ];

  return html`<div class="page sources-page">
    <${Panel}
      title=${t('nav.sources')}
      actions=${can('manager') ? html`<${Button} kind="primary" onClick=${() => setAdding(true)}>${t('sources.add')}<//>` : null}
    >
      <${ErrorBox} error=${error} />
      <${DataState} state=${state} isEmpty=${(d) => d.data.length === 0} empty=${t('sources.none')}>
        ${(list) => html`<${Table} columns=${columns} rows=${list.data} rowClass=${(s) => `source-row ${s.status}`} />`}
      <//>
    <//>
    <${DeadDeliveries} />
    ${
      adding
        ? html`<${AddSourceDialog}
            onClose=${() => setAdding(false)}
            onAdded=${() => {
              setAdding(false);
              state.reload();
            }}
          />`
        : null
    }
    ${testing ? html`<${TestResultDialog} id=${testing.id} result=${testing.result} onClose=${() => setTesting(null)} />` : null}
  </div>`;
}
