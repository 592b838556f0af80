/**
 * Routes, for admins: which alerts go to which channels, said in words; edited as the list
 * alerts.yaml holds (JSON here), or put back to the file's.
 */
import { html, useState } from '../lib/preact.js';
import { api } from '../lib/api.js';
import { useApp } from '../lib/context.js';
import { useData } from '../lib/use-data.js';
import { Button, DataState, ErrorBox, Panel } from '../components/ui.js';

/** One route in a sentence: "Weak-link alerts on Delivery, warning or worse → slack-team". */
function RouteWords({ route }) {
  const { t, labels } = useApp();
  const m = route.match;
  const parts = [t(`routes.kind.${m.kind}`)];
  if (m.touchpoints?.length)
    parts.push(t('routes.on', { list: m.touchpoints.map(labels.touchpoint).join(', ') }));
  if (m.sources?.length) parts.push(t('routes.from', { list: m.sources.join(', ') }));
  if (m.minSeverity) parts.push(t('routes.atLeast', { severity: t(`severity.${m.minSeverity}`) }));
  return html`<li>${parts.join(', ')} → <strong>${route.channels.join(', ')}</strong></li>`;
}

export function RoutesPanel() {
  const { t } = useApp();
  const state = useData(() => api.get('/api/v1/routes'), []);
  const [editing, setEditing] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const save = async (call) => {
    setBusy(true);
    setError(null);
    try {
      await call();
      setEditing(null);
      state.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const put = () => {
    let list;
    try {
      list = JSON.parse(editing);
    } catch {
      setError({ message: t('sources.badJson') });
      return;
    }
    void save(() => api.put('/api/v1/routes', list));
  };
  return html`<${Panel} title=${t('routes.title')}>
    <${DataState} state=${state}>
      ${(r) =>
        html`<p class="muted small">${t(`routes.origin.${r.origin}`)}</p>
          <ul class="routes">
            ${r.routes.map((route, i) => html`<${RouteWords} key=${i} route=${route} />`)}
          </ul>
          ${
            editing === null
              ? html`<div class="button-row">
                  <${Button} onClick=${() => setEditing(JSON.stringify(r.routes, null, 2))}
                    >${t('routes.edit')}<//
                  >
                  ${r.origin === 'api' ? html`<${Button} busy=${busy} onClick=${() => save(() => api.del('/api/v1/routes'))}>${t('routes.reset')}<//>` : null}
                </div>`
              : html`<label class="field">
                    <span>${t('routes.json')}</span>
                    <textarea
                      name="routes"
                      rows="10"
                      class="mono"
                      value=${editing}
                      onInput=${(e) => setEditing(e.currentTarget.value)}
                    ></textarea>
                  </label>
                  <div class="button-row">
                    <${Button} kind="primary" busy=${busy} onClick=${put}>${t('routes.save')}<//>
                    <${Button} onClick=${() => setEditing(null)}>${t('common.cancel')}<//>
                  </div>`
          }`}
    <//>
    <${ErrorBox} error=${error} />
  <//>`;
}
