/** Settings, for admins: the people who sign in, and the API keys of integrations. */
import { html } from '../lib/preact.js';
import { UsersPanel } from './users-panel.js';
import { KeysPanel } from './keys-panel.js';

export function SettingsPage() {
  return html`<div class="page settings-page">
    <${UsersPanel} />
    <${KeysPanel} />
  </div>`;
}
