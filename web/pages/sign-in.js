/**
 * Signing in: with an e-mail and password (people), or with an API key (integrators trying the
 * dashboard). Either opens a session cookie; the API answers the same 401 for any wrong input.
 */
import { html, useState } from '../lib/preact.js';
import { api } from '../lib/api.js';
import { useApp } from '../lib/context.js';
import { Button } from '../components/ui.js';

export function SignInPage({ onSignedIn }) {
  const { t, lang, setLang } = useApp();
  const [mode, setMode] = useState('password');
  const [form, setForm] = useState({ email: '', password: '', key: '' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  const set = (name) => (e) => setForm({ ...form, [name]: e.currentTarget.value });
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      const body =
        mode === 'key' ? { key: form.key.trim() } : { email: form.email, password: form.password };
      onSignedIn(await api.post('/api/v1/session', body));
    } catch (err) {
      setError(
        err.status === 429
          ? t('signIn.tooMany')
          : err.status === 401 || err.status === 400
            ? t('signIn.wrong')
            : t('error.failed'),
      );
    } finally {
      setBusy(false);
    }
  };

  return html`<div class="sign-in">
    <form class="sign-in-card" onSubmit=${submit}>
      <div class="sign-in-brand">
        <img src="favicon.svg" alt="" width="28" height="28" />
        <h1>Maillon</h1>
      </div>
      <p class="muted">${t('signIn.tagline')}</p>
      <div class="segmented" role="tablist">
        <button
          type="button"
          role="tab"
          class=${mode === 'password' ? 'active' : ''}
          onClick=${() => setMode('password')}
        >
          ${t('signIn.withPassword')}
        </button>
        <button
          type="button"
          role="tab"
          class=${mode === 'key' ? 'active' : ''}
          onClick=${() => setMode('key')}
        >
          ${t('signIn.withKey')}
        </button>
      </div>
      ${
        mode === 'password'
          ? html`<label class="field">
                <span>${t('signIn.email')}</span>
                <input
                  name="email"
                  type="email"
                  autocomplete="username"
                  required
                  value=${form.email}
                  onInput=${set('email')}
                />
              </label>
              <label class="field">
                <span>${t('signIn.password')}</span>
                <input
                  name="password"
                  type="password"
                  autocomplete="current-password"
                  required
                  value=${form.password}
                  onInput=${set('password')}
                />
              </label>`
          : html`<label class="field">
              <span>${t('signIn.key')}</span>
              <input
                name="key"
                type="password"
                autocomplete="off"
                required
                value=${form.key}
                onInput=${set('key')}
              />
            </label>`
      }
      ${error ? html`<p class="form-error" role="alert">${error}</p>` : null}
      <${Button} kind="primary" type="submit" busy=${busy}>${t('signIn.submit')}<//>
      <label class="field lang-inline">
        <span>${t('header.language')}</span>
        <select id="lang" value=${lang} onChange=${(e) => setLang(e.currentTarget.value)}>
          <option value="fr">Français</option>
          <option value="en">English</option>
        </select>
      </label>
    </form>
  </div>`;
}
