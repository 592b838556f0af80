/**
 * Users: add one (with a password, or one generated and shown once), change a role, disable or
 * remove. The API keeps at least one active admin and says so when refused.
 */
import { html, useState } from '../lib/preact.js';
import { api } from '../lib/api.js';
import { useApp } from '../lib/context.js';
import { useData } from '../lib/use-data.js';
import { Dialog } from '../components/dialog.js';
import { Button, DataState, ErrorBox, Panel, Table } from '../components/ui.js';
import { CopyOnce } from './keys-panel.js';

const ROLES = ['viewer', 'manager', 'admin'];

export function UsersPanel() {
  const { t, f, user: me } = useApp();
  const state = useData(() => api.get('/api/v1/users'), []);
  const [adding, setAdding] = useState(false);
  const [error, setError] = useState(null);
  const change = async (call) => {
    setError(null);
    try {
      await call();
      state.reload();
    } catch (err) {
      setError(err);
    }
  };
  const path = (u) => `/api/v1/users/${encodeURIComponent(u.id)}`;
  const columns = [
    {
      key: 'name',
      label: t('users.name'),
      render: (u) =>
        html`<strong>${u.name}</strong>
          <div class="muted small">${u.id}</div>`,
    },
    {
      key: 'role',
      label: t('users.role'),
      render: (u) =>
        html`<select
          aria-label=${t('users.roleOf', { name: u.name })}
          value=${u.role}
          onChange=${(e) => change(() => api.patch(path(u), { role: e.currentTarget.value }))}
        >
          ${ROLES.map((r) => html`<option key=${r} value=${r}>${t(`role.${r}`)}</option>`)}
        </select>`,
    },
    {
      key: 'state',
      label: t('users.state'),
      render: (u) =>
        u.disabled
          ? html`<span class="badge muted">${t('users.disabled')}</span>`
          : html`<span class="badge ok">${t('users.active')}</span>`,
    },
    {
      key: 'last',
      label: t('users.lastSignIn'),
      className: 'nowrap',
      render: (u) => f.dateTime(u.lastSignInAt),
    },
    {
      key: 'actions',
      label: '',
      className: 'nowrap',
      render: (u) =>
        html`<${Button}
            onClick=${() => change(() => api.patch(path(u), { disabled: !u.disabled }))}
          >
            ${t(u.disabled ? 'users.enable' : 'users.disable')}<//
          >
          ${
            u.id !== me.id
              ? html`<${Button}
                  kind="danger"
                  onClick=${() => confirm(t('users.confirmDelete', { name: u.name })) && change(() => api.del(path(u)))}
                  >${t('common.remove')}<//
                >`
              : null
          }`,
    },
  ];
  return html`<${Panel}
    title=${t('users.title')}
    actions=${html`<${Button} kind="primary" onClick=${() => setAdding(true)}>${t('users.add')}<//>`}
  >
    <${ErrorBox} error=${error} />
    <${DataState} state=${state}
      >${(list) => html`<${Table} columns=${columns} rows=${list.data} />`}<//
    >
    ${adding ? html`<${AddUserDialog} onClose=${() => (setAdding(false), state.reload())} />` : null}
  <//>`;
}

function AddUserDialog({ onClose }) {
  const { t } = useApp();
  const [form, setForm] = useState({ email: '', name: '', role: 'viewer', password: '' });
  const [made, setMade] = useState(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const set = (k) => (e) => setForm({ ...form, [k]: e.currentTarget.value });
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { password, ...rest } = form;
      setMade(await api.post('/api/v1/users', password ? form : rest));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return html`<${Dialog} title=${t('users.add')} onClose=${onClose}>
    ${
      made
        ? html`<p>${t('users.made', { name: made.name })}</p>
            ${made.password ? html`<${CopyOnce} label=${t('users.password')} secret=${made.password} />` : null}
            <${Button} kind="primary" onClick=${onClose}>${t('common.done')}<//>`
        : html`<form class="stack" onSubmit=${submit}>
            <label class="field"
              ><span>${t('users.email')}</span
              ><input
                name="email"
                type="email"
                required
                value=${form.email}
                onInput=${set('email')}
            /></label>
            <label class="field"
              ><span>${t('users.name')}</span
              ><input name="name" required value=${form.name} onInput=${set('name')}
            /></label>
            <label class="field">
              <span>${t('users.role')}</span>
              <select name="role" value=${form.role} onChange=${set('role')}>
                ${ROLES.map((r) => html`<option key=${r} value=${r}>${t(`role.${r}`)}</option>`)}
              </select>
            </label>
            <label class="field">
              <span>${t('users.passwordOptional')}</span>
              <input
                name="password"
                type="password"
                minlength="12"
                autocomplete="new-password"
                value=${form.password}
                onInput=${set('password')}
              />
            </label>
            <${ErrorBox} error=${error} />
            <div class="button-row">
              <${Button} kind="primary" type="submit" busy=${busy}>${t('users.add')}<//>
            </div>
          </form>`
    }
  <//>`;
}
