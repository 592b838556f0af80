/**
 * The dashboard's shell: who is signed in, the workspace, the language, and which page the
 * address shows. Pages are one module each under pages/; components/ holds what they share.
 * No build step: ES modules, Preact + htm from /vendor (see README, "The dashboard").
 */
import { html, render, useCallback, useEffect, useMemo, useState } from './lib/preact.js';
import { api, setCsrfToken, whenUnauthorized } from './lib/api.js';
import { AppContext, labelsOf, roleIncludes } from './lib/context.js';
import { formats, initialLanguage, saveLanguage, translator } from './lib/i18n.js';
import { navigate, useRoute } from './lib/router.js';
import { Header } from './components/header.js';
import { ErrorBox, Loading } from './components/ui.js';
import { SignInPage } from './pages/sign-in.js';
import { JourneyPage } from './pages/journey.js';
import { AlertsPage } from './pages/alerts.js';
import { AlertPage } from './pages/alert-detail.js';
import { MentionsPage } from './pages/mentions.js';
import { TrendsPage } from './pages/trends.js';
import { SourcesPage } from './pages/sources.js';
import { SettingsPage } from './pages/settings.js';

/** Each page: its module, and the role it needs (the API refuses the rest anyway). */
const PAGES = {
  '': { view: JourneyPage, role: 'viewer' },
  journey: { view: JourneyPage, role: 'viewer' },
  alerts: { view: AlertsPage, detail: AlertPage, role: 'viewer' },
  mentions: { view: MentionsPage, role: 'viewer' },
  trends: { view: TrendsPage, role: 'viewer' },
  sources: { view: SourcesPage, role: 'viewer' },
  settings: { view: SettingsPage, role: 'admin' },
  // The previous dashboard's touchpoint pages: their mentions are in the explorer now.
  touchpoints: { view: TouchpointRedirect, role: 'viewer' },
};

function TouchpointRedirect({ id }) {
  useEffect(() => navigate('mentions', null, id ? { touchpoint: id } : {}), [id]);
  return null;
}

function App() {
  const [lang, setLangState] = useState(initialLanguage);
  // undefined: still asking who is signed in; null: nobody.
  const [session, setSession] = useState(undefined);
  const [workspace, setWorkspace] = useState(null);
  const [bootError, setBootError] = useState(null);
  const route = useRoute();

  const setLang = useCallback((next) => {
    saveLanguage(next);
    setLangState(next);
  }, []);

  const start = useCallback(async (who) => {
    setCsrfToken(who.csrfToken);
    setSession(who);
    try {
      setWorkspace(await api.get('/api/v1/workspace'));
      setBootError(null);
    } catch (err) {
      setBootError(err);
    }
  }, []);

  useEffect(() => {
    saveLanguage(lang);
    whenUnauthorized(() => {
      setSession(null);
      setWorkspace(null);
    });
    api.get('/api/v1/session').then(start, () => setSession(null));
  }, []);

  const signOut = useCallback(async () => {
    await api.del('/api/v1/session').catch(() => undefined);
    setCsrfToken('');
    setSession(null);
    setWorkspace(null);
    navigate('');
  }, []);

  const context = useMemo(() => {
    const f = formats(lang, workspace?.brand?.timeZone ?? 'UTC');
    const user = session?.user ?? null;
    return {
      lang,
      setLang,
      t: translator(lang),
      f,
      workspace,
      user,
      can: (role) => Boolean(user && roleIncludes(user.role, role)),
      labels: labelsOf(workspace, lang),
    };
  }, [lang, workspace, session, setLang]);

  useEffect(() => {
    // The tab names the page, in the chosen language.
    const key = route.page ? `nav.${route.page}` : 'nav.journey';
    document.title = context.t(key) === key ? 'Maillon' : `Maillon · ${context.t(key)}`;
  }, [lang, route.page, context]);

  let body;
  if (session === undefined) body = html`<${Loading} />`;
  else if (session === null) body = html`<${SignInPage} onSignedIn=${start} />`;
  else if (bootError)
    body = html`<${ErrorBox} error=${bootError} onRetry=${() => start(session)} />`;
  else if (!workspace) body = html`<${Loading} />`;
  else {
    const page = PAGES[route.page];
    if (!page) body = html`<${ErrorBox} error=${{ status: 404, message: location.hash }} />`;
    else if (!context.can(page.role)) body = html`<${ErrorBox} error=${{ status: 403 }} />`;
    else {
      const View = route.id && page.detail ? page.detail : page.view;
      body = html`<${View} key=${route.page} id=${route.id} query=${route.query} />`;
    }
  }
  return html`<${AppContext.Provider} value=${context}>
    ${session ? html`<${Header} current=${route.page} onSignOut=${signOut} />` : null}
    <main id="view" class="view">${body}</main>
  <//>`;
}

render(html`<${App} />`, document.getElementById('app'));
