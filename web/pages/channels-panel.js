/**
 * Channels, for admins: where alerts and digests go (Slack, Teams, e-mail, signed webhooks).
 * Those of alerts.yaml are listed and stay the file's; those added here can be removed. Secrets
 * are write-only: the API shows only which are set.
 */
import { html, useState } from '../lib/preact.js';
import { api } from '../lib/api.js';
import { useApp } from '../lib/context.js';
import { useData } from '../lib/use-data.js';
import { Dialog } from '../components/dialog.js';
import { Button, DataState, ErrorBox, Panel, Table } from '../components/ui.js';

/** Each type, with an example of its options and of its secrets. */
const CHANNEL_TYPES = {
  slack: [{ lang: 'fr' }, { webhookUrl: 'https://hooks.slack.com/services/…' }],
  teams: [{ lang: 'fr' }, { webhookUrl: 'https://example.webhook.office.com/…' }],
  email: [
    {
      lang: 'fr',
      host: 'smtp.example.com',
      port: 587,
      from: 'maillon@example.com',
      to: ['team@example.com'],
    },
    { user: '', password: '' },
  ],
  webhook: [{}, { url: 'https://example.com/maillon', secret: '' }],
  log: [{}, {}],
};

export function ChannelsPanel() {
  const { t } = useApp();
  const state = useData(() => api.get('/api/v1/channels'), []);
  const [adding, setAdding] = useState(false);
  const [results, setResults] = useState({});
  const [error, setError] = useState(null);
  const path = (c) => `/api/v1/channels/${encodeURIComponent(c.id)}`;
  const test = async (c) => {
    setResults({ ...results, [c.id]: 'busy' });
    try {
      setResults({ ...results, [c.id]: await api.post(`${path(c)}/test`) });
    } catch (err) {
      setResults({ ...results, [c.id]: null });
      setError(err);
    }
  };
  const remove = async (c) => {
    if (!confirm(t('channels.confirmDelete', { id: c.id }))) return;
    try {
      await api.del(path(c));
      state.reload();
    } catch (err) {
      setError(err);
    }
  };
  const columns = [
    {
      key: 'id',
      label: t('channels.channel'),
      render: (c) =>
        html`<strong>${c.id}</strong>
          <div class="muted small">${t(`channelType.${c.type}`)}</div>`,
    },
    { key: 'origin', label: t('channels.origin'), render: (c) => t(`origin.${c.origin}`) },
    {
      key: 'digest',
      label: t('channels.sends'),
      render: (c) => t(c.digestOnly ? 'channels.digestOnly' : 'channels.alertsAndDigest'),
    },
    {
      key: 'secrets',
      label: t('channels.secrets'),
      render: (c) => Object.keys(c.secrets).join(', ') || '—',
    },
    {
      key: 'test',
      label: '',
      className: 'wrap',
      render: (c) => {
        const r = results[c.id];
        return html`<${Button} busy=${r === 'busy'} onClick=${() => test(c)}
            >${t('channels.test')}<//
          >
          ${c.origin === 'api' ? html`<${Button} kind="danger" onClick=${() => remove(c)}>${t('common.remove')}<//>` : null}
          ${
            r && r !== 'busy'
              ? r.ok
                ? html`<div class="small change better" data-testid="channel-ok">
                    ${t('channels.testOk')}
                  </div>`
                : html`<div class="small source-error" data-testid="channel-failed">
                    ${r.error?.message}
                  </div>`
              : null
          }`;
      },
    },
  ];
  return html`<${Panel}
    title=${t('channels.title')}
    actions=${html`<${Button} kind="primary" onClick=${() => setAdding(true)}>${t('channels.add')}<//>`}
  >
    <${ErrorBox} error=${error} />
    <${DataState} state=${state}
      >${(list) => html`<${Table} columns=${columns} rows=${list.data} />`}<//
    >
    ${
      adding
        ? html`<${AddChannelDialog}
            onClose=${() => setAdding(false)}
            onAdded=${() => {
              setAdding(false);
              state.reload();
            }}
          />`
        : null
    }
  <//>`;
}

function AddChannelDialog({ onClose, onAdded }) {
  const { t } = useApp();
  const [type, setType] = useState('slack');
  const [id, setId] = useState('');
  const [digestOnly, setDigestOnly] = useState(false);
  const [options, setOptions] = useState(JSON.stringify(CHANNEL_TYPES.slack[0], null, 2));
  const [secrets, setSecrets] = useState(JSON.stringify(CHANNEL_TYPES.slack[1], null, 2));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const pick = (next) => {
    setType(next);
    setOptions(JSON.stringify(CHANNEL_TYPES[next][0], null, 2));
    setSecrets(JSON.stringify(CHANNEL_TYPES[next][1], null, 2));
  };
  const submit = async (e) => {
    e.preventDefault();
    setError(null);
    let body;
    try {
      body = {
        id: id.trim(),
        type,
        digestOnly,
        options: JSON.parse(options || '{}'),
        secrets: JSON.parse(secrets || '{}'),
      };
    } catch {
      setError({ message: t('sources.badJson') });
      return;
    }
    setBusy(true);
    try {
      await api.post('/api/v1/channels', body);
      onAdded();
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return html`<${Dialog} title=${t('channels.add')} onClose=${onClose}>
    <form class="stack" onSubmit=${submit}>
      <label class="field">
        <span>${t('channels.type')}</span>
        <select name="type" value=${type} onChange=${(e) => pick(e.currentTarget.value)}>
          ${Object.keys(CHANNEL_TYPES).map((k) => html`<option key=${k} value=${k}>${t(`channelType.${k}`)}</option>`)}
        </select>
      </label>
      <label class="field">
        <span>${t('sources.id')}</span>
        <input name="id" required value=${id} onInput=${(e) => setId(e.currentTarget.value)} />
      </label>
      <label class="field checkbox">
        <input
          type="checkbox"
          name="digestOnly"
          checked=${digestOnly}
          onChange=${(e) => setDigestOnly(e.currentTarget.checked)}
        />
        <span>${t('channels.digestOnly')}</span>
      </label>
      <label class="field">
        <span>${t('channels.options')}</span>
        <textarea
          name="options"
          rows="5"
          class="mono"
          value=${options}
          onInput=${(e) => setOptions(e.currentTarget.value)}
        ></textarea>
      </label>
      <label class="field">
        <span>${t('channels.secretsWrite')}</span>
        <textarea
          name="secrets"
          rows="3"
          class="mono"
          autocomplete="off"
          value=${secrets}
          onInput=${(e) => setSecrets(e.currentTarget.value)}
        ></textarea>
      </label>
      <${ErrorBox} error=${error} />
      <div class="button-row">
        <${Button} kind="primary" type="submit" busy=${busy}>${t('channels.add')}<//>
        <${Button} onClick=${onClose}>${t('common.cancel')}<//>
      </div>
    </form>
  <//>`;
}
