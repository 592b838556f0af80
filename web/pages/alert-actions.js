/**
 * What a manager does with an alert: acknowledge, snooze, resolve, comment, assign. The API
 * records each under the signed-in user; the note goes with the action.
 */
import { html, useState } from '../lib/preact.js';
import { api } from '../lib/api.js';
import { useApp } from '../lib/context.js';
import { useData } from '../lib/use-data.js';
import { Button, ErrorBox, Panel } from '../components/ui.js';

const SNOOZES = [60, 240, 1440, 10080];

export function AlertActions({ alert, onChanged }) {
  const { t, user } = useApp();
  const [note, setNote] = useState('');
  const [snooze, setSnooze] = useState(240);
  const [busy, setBusy] = useState('');
  const [error, setError] = useState(null);
  // The people an alert can go to: active managers and admins.
  const users = useData(() => api.get('/api/v1/users/assignable'), []);
  const [assignTo, setAssignTo] = useState('');

  const run = async (action, body) => {
    setBusy(action);
    setError(null);
    try {
      await api.post(`/api/v1/alerts/${encodeURIComponent(alert.id)}/${action}`, body);
      setNote('');
      onChanged();
    } catch (err) {
      setError(err);
    } finally {
      setBusy('');
    }
  };
  const text = note.trim() ? { text: note.trim() } : {};
  const resolved = alert.status === 'resolved';

  return html`<${Panel} title=${t('alert.actions')} className="actions">
    <label class="field">
      <span>${t('alert.note')}</span>
      <textarea
        rows="3"
        value=${note}
        placeholder=${t('alert.notePlaceholder')}
        onInput=${(e) => setNote(e.currentTarget.value)}
      ></textarea>
    </label>
    <div class="button-row">
      <${Button}
        kind="primary"
        busy=${busy === 'acknowledge'}
        disabled=${resolved || alert.status === 'acknowledged'}
        onClick=${() => run('acknowledge', text)}
        >${t('alert.acknowledge')}<//
      >
      <${Button}
        busy=${busy === 'resolve'}
        disabled=${resolved}
        onClick=${() => run('resolve', text)}
        >${t('alert.resolve')}<//
      >
      <${Button}
        busy=${busy === 'comments'}
        disabled=${!note.trim()}
        onClick=${() => run('comments', text)}
        >${t('alert.comment')}<//
      >
    </div>
    <div class="button-row">
      <select
        aria-label=${t('alert.snoozeFor')}
        value=${snooze}
        onChange=${(e) => setSnooze(Number(e.currentTarget.value))}
      >
        ${SNOOZES.map((m) => html`<option key=${m} value=${m}>${t(`alert.snooze.${m}`)}</option>`)}
      </select>
      <${Button}
        busy=${busy === 'snooze'}
        disabled=${resolved}
        onClick=${() => run('snooze', { minutes: snooze, ...text })}
        >${t('alert.snooze')}<//
      >
    </div>
    <div class="button-row assign">
      ${
        users.data?.data.length
          ? html`<select
              aria-label=${t('alert.assignTo')}
              value=${assignTo}
              onChange=${(e) => setAssignTo(e.currentTarget.value)}
            >
              <option value="">${t('alert.chooseUser')}</option>
              ${users.data.data
                .filter((u) => !u.disabled && u.role !== 'viewer')
                .map((u) => html`<option key=${u.id} value=${u.id}>${u.name}</option>`)}
            </select>`
          : html`<input
              type="email"
              aria-label=${t('alert.assignTo')}
              placeholder=${t('alert.assignEmail')}
              value=${assignTo}
              onInput=${(e) => setAssignTo(e.currentTarget.value)}
            />`
      }
      <${Button}
        busy=${busy === 'assign'}
        disabled=${!assignTo}
        onClick=${() => run('assign', { to: assignTo })}
        >${t('alert.assign')}<//
      >
    </div>
    <div class="button-row">
      ${
        user.id.includes('@')
          ? html`<${Button} kind="link" onClick=${() => run('assign', { to: user.id })}
              >${t('alert.assignMe')}<//
            >`
          : null
      }
      ${alert.assignee ? html`<${Button} kind="link" onClick=${() => run('assign', { to: null })}>${t('alert.unassign')}<//>` : null}
    </div>
    <${ErrorBox} error=${error} />
  <//>`;
}
