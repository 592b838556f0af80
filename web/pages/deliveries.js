/**
 * Dead letters: alert and digest deliveries a channel kept refusing. A manager sends one again
 * (dead ones only: the API refuses to post twice what already went through).
 */
import { html, useState } from '../lib/preact.js';
import { api } from '../lib/api.js';
import { useApp } from '../lib/context.js';
import { useData } from '../lib/use-data.js';
import { Button, DataState, ErrorBox, Panel, Table } from '../components/ui.js';

export function DeadDeliveries() {
  const { t, f, can } = useApp();
  const state = useData(() => api.get('/api/v1/deliveries', { status: 'dead', limit: 50 }), []);
  const [busy, setBusy] = useState('');
  const [error, setError] = useState(null);
  const resend = async (key) => {
    setBusy(key);
    setError(null);
    try {
      await api.post(`/api/v1/deliveries/${encodeURIComponent(key)}/resend`, {});
      state.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy('');
    }
  };
  const columns = [
    {
      key: 'subject',
      label: t('deliveries.subject'),
      render: (d) => t(`deliveries.kind.${d.subject}`),
    },
    { key: 'channel', label: t('deliveries.channel'), render: (d) => d.channelId },
    {
      key: 'attempts',
      label: t('deliveries.attempts'),
      className: 'num',
      render: (d) => f.number(d.attempts),
    },
    {
      key: 'error',
      label: t('sources.lastError'),
      className: 'wrap',
      render: (d) => d.lastError ?? '—',
    },
    {
      key: 'at',
      label: t('deliveries.updated'),
      className: 'nowrap',
      render: (d) => f.dateTime(d.updatedAt),
    },
    ...(can('manager')
      ? [
          {
            key: 'resend',
            label: '',
            render: (d) =>
              html`<${Button} busy=${busy === d.key} onClick=${() => resend(d.key)}
                >${t('deliveries.resend')}<//
              >`,
          },
        ]
      : []),
  ];
  return html`<${Panel} title=${t('deliveries.title')}>
    <${ErrorBox} error=${error} />
    <${DataState}
      state=${state}
      isEmpty=${(d) => d.data.length === 0}
      empty=${t('deliveries.none')}
    >
      ${(list) => html`<${Table} columns=${columns} rows=${list.data} rowKey=${(d) => d.key} />`}
    <//>
  <//>`;
}
