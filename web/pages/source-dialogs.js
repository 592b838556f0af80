/**
 * The sources page's dialogs: adding a source (its kind, id, interval and the kind's own
 * settings as JSON, checked by the API), and what a test fetch brought back.
 */
import { html, useState } from '../lib/preact.js';
import { api } from '../lib/api.js';
import { useApp } from '../lib/context.js';
import { Dialog } from '../components/dialog.js';
import { Button, ErrorBox, SentimentBadge } from '../components/ui.js';

/** The kinds of src/sources/, with an example of their settings. */
export const SOURCE_KINDS = {
  rss: { url: 'https://example.com/feed.xml' },
  mastodon: { instance: 'https://mastodon.social', query: 'maison lumière' },
  bluesky: { query: 'maison lumière' },
  reddit: { query: 'maison lumière' },
  hackernews: { query: 'maison lumière' },
  reviews: { url: 'https://reviews.example/api/maison-lumiere' },
  appstore: { appId: '123456789', country: 'fr' },
  youtube: { query: 'maison lumière' },
  github: { query: 'maison lumière' },
  stackexchange: { site: 'stackoverflow', query: 'maison lumière' },
  discourse: { url: 'https://forum.example.com', query: 'maison lumière' },
  html: { url: 'https://example.com/avis' },
};

export function AddSourceDialog({ onClose, onAdded }) {
  const { t } = useApp();
  const [kind, setKind] = useState('rss');
  const [id, setId] = useState('');
  const [every, setEvery] = useState('15m');
  const [settings, setSettings] = useState(JSON.stringify(SOURCE_KINDS.rss, null, 2));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);

  const submit = async (e) => {
    e.preventDefault();
    setError(null);
    let extra;
    try {
      extra = JSON.parse(settings || '{}');
    } catch {
      setError({ message: t('sources.badJson') });
      return;
    }
    setBusy(true);
    try {
      await api.post('/api/v1/sources', { ...extra, id: id.trim(), kind, every });
      onAdded();
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return html`<${Dialog} title=${t('sources.add')} onClose=${onClose}>
    <form class="stack" onSubmit=${submit}>
      <label class="field">
        <span>${t('sources.kind')}</span>
        <select
          name="kind"
          value=${kind}
          onChange=${(e) => {
            setKind(e.currentTarget.value);
            setSettings(JSON.stringify(SOURCE_KINDS[e.currentTarget.value] ?? {}, null, 2));
          }}
        >
          ${Object.keys(SOURCE_KINDS).map((k) => html`<option key=${k} value=${k}>${t(`sourceKind.${k}`)}</option>`)}
        </select>
      </label>
      <label class="field">
        <span>${t('sources.id')}</span>
        <input
          name="id"
          required
          pattern="[a-z0-9][a-z0-9\\-]*"
          value=${id}
          onInput=${(e) => setId(e.currentTarget.value)}
        />
      </label>
      <label class="field">
        <span>${t('sources.every')}</span>
        <input name="every" value=${every} onInput=${(e) => setEvery(e.currentTarget.value)} />
      </label>
      <label class="field">
        <span>${t('sources.settings')}</span>
        <textarea
          name="settings"
          rows="6"
          class="mono"
          value=${settings}
          onInput=${(e) => setSettings(e.currentTarget.value)}
        ></textarea>
      </label>
      <${ErrorBox} error=${error} />
      <div class="button-row">
        <${Button} kind="primary" type="submit" busy=${busy}>${t('sources.add')}<//>
        <${Button} onClick=${onClose}>${t('common.cancel')}<//>
      </div>
    </form>
  <//>`;
}

export function TestResultDialog({ id, result, onClose }) {
  const { t, f } = useApp();
  const mentions = result.mentions ?? [];
  return html`<${Dialog} title=${t('sources.testOf', { id })} onClose=${onClose}>
    ${
      result.ok
        ? html`<p class="state ok" data-testid="test-ok">
              ${result.notModified ? t('sources.notModified') : t('sources.testOk', { n: result.fetched ?? mentions.length })}
            </p>
            <ul class="test-mentions">
              ${mentions.slice(0, 10).map(
                (m, i) =>
                  html`<li key=${i}>
                    <span class="muted small"
                      >${f.dateTime(m.publishedAt)} · ${m.author?.name ?? ''}</span
                    >
                    <${SentimentBadge} sentiment=${m.analysis?.sentiment?.label} />
                    <p>${m.text}</p>
                  </li>`,
              )}
            </ul>`
        : html`<div class="state error" data-testid="test-failed">
            <strong>${t('sources.testFailed')}</strong>
            <span class="detail">${result.error?.message}</span>
          </div>`
    }
  <//>`;
}
