/**
 * Settings, for admins: the people who sign in, the API keys of integrations, the channels
 * alerts go to and the routes that choose them.
 */
import { html } from '../lib/preact.js';
import { ChannelsPanel } from './channels-panel.js';
import { KeysPanel } from './keys-panel.js';
import { RoutesPanel } from './routes-panel.js';
import { UsersPanel } from './users-panel.js';

export function SettingsPage() {
  return html`<div class="page settings-page">
    <${UsersPanel} />
    <${KeysPanel} />
    <${ChannelsPanel} />
    <${RoutesPanel} />
  </div>`;
}
