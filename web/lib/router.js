/**
 * A hash router: `#/alerts/abc?status=open` is the page `alerts`, its id `abc` and its query.
 * Hash based so that the API's static server needs no fallback route, and a page's filters live
 * in the address (a link to "the negative mentions about delivery" can be shared).
 */
import { useEffect, useState } from './preact.js';

/** The current address, parsed. */
export function currentRoute() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [pathPart, queryPart = ''] = raw.split('?');
  const parts = pathPart.split('/').filter(Boolean).map(decodeURIComponent);
  return {
    page: parts[0] ?? '',
    id: parts[1] ?? null,
    query: Object.fromEntries(new URLSearchParams(queryPart)),
  };
}

/** `#/page/id?k=v`, leaving out empty values. */
export function href(page, id = null, query = {}) {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  }
  const qs = params.toString();
  return `#/${page}${id ? `/${encodeURIComponent(id)}` : ''}${qs ? `?${qs}` : ''}`;
}

export function navigate(page, id = null, query = {}) {
  location.hash = href(page, id, query);
}

/** Replaces the query of the current page without a new history entry per keystroke. */
export function replaceQuery(query) {
  const { page, id } = currentRoute();
  history.replaceState(null, '', href(page, id, query));
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}

/** The current route, updated on every change of the address. */
export function useRoute() {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const update = () => setRoute(currentRoute());
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return route;
}
