/**
 * API keys: make one (shown once, with a copy button: the API stores only its hash) and revoke
 * one. Keys are for integrations; people sign in with a password.
 */
import { html, useState } from '../lib/preact.js';
import { api } from '../lib/api.js';
import { useApp } from '../lib/context.js';
import { useData } from '../lib/use-data.js';
import { Button, DataState, ErrorBox, Panel, Table } from '../components/ui.js';

/** A secret shown once, with a copy button. */
export function CopyOnce({ label, secret }) {
  const { t } = useApp();
  const [copied, setCopied] = useState(false);
  return html`<div class="copy-once">
    <label class="field">
      <span>${label}</span>
      <input
        class="mono"
        readonly
        value=${secret}
        data-testid="secret"
        onFocus=${(e) => e.currentTarget.select()}
      />
    </label>
    <${Button} onClick=${() => navigator.clipboard?.writeText(secret).then(() => setCopied(true))}
      >${t(copied ? 'keys.copied' : 'keys.copy')}<//
    >
    <p class="muted small">${t('keys.shownOnce')}</p>
  </div>`;
}

export function KeysPanel() {
  const { t, f } = useApp();
  const state = useData(() => api.get('/api/v1/keys'), []);
  const [form, setForm] = useState({ name: '', role: 'viewer' });
  const [made, setMade] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const create = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setMade(await api.post('/api/v1/keys', form));
      setForm({ name: '', role: 'viewer' });
      state.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const revoke = async (k) => {
    if (!confirm(t('keys.confirmRevoke', { name: k.name }))) return;
    try {
      await api.del(`/api/v1/keys/${encodeURIComponent(k.id)}`);
      state.reload();
    } catch (err) {
      setError(err);
    }
  };
  const columns = [
    { key: 'name', label: t('keys.name'), render: (k) => k.name },
    { key: 'role', label: t('users.role'), render: (k) => t(`role.${k.role}`) },
    {
      key: 'created',
      label: t('keys.created'),
      className: 'nowrap',
      render: (k) => `${f.dateTime(k.createdAt)} · ${k.createdBy}`,
    },
    {
      key: 'used',
      label: t('keys.lastUsed'),
      className: 'nowrap',
      render: (k) => f.dateTime(k.lastUsedAt),
    },
    {
      key: 'state',
      label: '',
      render: (k) =>
        k.revokedAt
          ? html`<span class="badge muted"
              >${t('keys.revokedAt', { at: f.dateTime(k.revokedAt) })}</span
            >`
          : html`<${Button} kind="danger" onClick=${() => revoke(k)}>${t('keys.revoke')}<//>`,
    },
  ];
  return html`<${Panel} title=${t('keys.title')}>
    <form class="inline-form" onSubmit=${create}>
      <label class="field"
        ><span>${t('keys.name')}</span
        ><input
          name="keyName"
          required
          value=${form.name}
          onInput=${(e) => setForm({ ...form, name: e.currentTarget.value })}
      /></label>
      <label class="field">
        <span>${t('users.role')}</span>
        <select
          name="keyRole"
          value=${form.role}
          onChange=${(e) => setForm({ ...form, role: e.currentTarget.value })}
        >
          ${['viewer', 'manager', 'admin'].map((r) => html`<option key=${r} value=${r}>${t(`role.${r}`)}</option>`)}
        </select>
      </label>
      <${Button} kind="primary" type="submit" busy=${busy}>${t('keys.make')}<//>
    </form>
    ${made ? html`<${CopyOnce} label=${t('keys.newKey', { name: made.name })} secret=${made.key} />` : null}
    <${ErrorBox} error=${error} />
    <${DataState} state=${state} isEmpty=${(d) => d.data.length === 0} empty=${t('keys.none')}>
      ${(list) => html`<${Table} columns=${columns} rows=${list.data} />`}
    <//>
  <//>`;
}
