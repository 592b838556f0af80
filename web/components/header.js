/** The bar at the top: the brand, the pages, the user and role, the language and sign-out. */
import { html } from '../lib/preact.js';
import { roleIncludes, useApp } from '../lib/context.js';
import { href } from '../lib/router.js';

const PAGES = [
  { page: '', key: 'nav.journey', role: 'viewer' },
  { page: 'alerts', key: 'nav.alerts', role: 'viewer' },
  { page: 'mentions', key: 'nav.mentions', role: 'viewer' },
  { page: 'trends', key: 'nav.trends', role: 'viewer' },
  { page: 'sources', key: 'nav.sources', role: 'viewer' },
  { page: 'settings', key: 'nav.settings', role: 'admin' },
];

export function Header({ current, onSignOut }) {
  const { t, lang, setLang, user, workspace } = useApp();
  // The brand watched, as configured (touchpoints.yaml): whose word of mouth this is.
  const watched = workspace?.brands?.find((b) => b.own)?.name;
  return html`<header class="topbar">
    <a class="brand" href="#/" title="Maillon">
      <img src="favicon.svg" alt="Maillon" width="20" height="20" />
      <span>${watched ?? 'Maillon'}</span>
    </a>
    <nav class="nav">
      ${PAGES.filter((p) => user && roleIncludes(user.role, p.role)).map(
        (p) =>
          html`<a
            key=${p.page}
            href=${href(p.page)}
            class=${current === p.page ? 'active' : ''}
            aria-current=${current === p.page ? 'page' : undefined}
            >${t(p.key)}</a
          >`,
      )}
    </nav>
    <div class="topbar-right">
      <label class="lang">
        <span class="sr-only">${t('header.language')}</span>
        <select id="lang" value=${lang} onChange=${(e) => setLang(e.currentTarget.value)}>
          <option value="fr">Français</option>
          <option value="en">English</option>
        </select>
      </label>
      ${
        user
          ? html`<span class="who" data-testid="who">
                <span class="who-name">${user.name}</span>
                <span class=${`badge role ${user.role}`}>${t(`role.${user.role}`)}</span>
              </span>
              <button type="button" class="btn btn-link" onClick=${onSignOut}>
                ${t('header.signOut')}
              </button>`
          : null
      }
    </div>
  </header>`;
}
