/**
 * The API as the dashboard calls it: JSON in and out, the session cookie sent by the browser,
 * and the session's CSRF token on every state-changing request (the API refuses them without).
 * A failed call throws an ApiError carrying the HTTP status and the API's error code.
 */

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

let csrfToken = '';
let onUnauthorized = () => {};

/** Remembers the token of the session the API gave at sign-in (or on reload). */
export function setCsrfToken(token) {
  csrfToken = token ?? '';
}

/** Called when a request answers 401: the session ended, show the sign-in page. */
export function whenUnauthorized(fn) {
  onUnauthorized = fn;
}

/** `/api/v1/x` with the defined, non-empty values of `query` as its query string. */
export function apiUrl(path, query = {}) {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

async function request(method, path, body) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') headers['x-csrf-token'] = csrfToken;
  const res = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (res.status === 204) return null;
  const data = await res.json().catch(() => null);
  if (!res.ok) {
    const error = data?.error ?? {};
    // A sign-in that fails is the sign-in page's business, not a lost session.
    if (res.status === 401 && path !== '/api/v1/session') onUnauthorized();
    throw new ApiError(res.status, error.code ?? 'http_error', error.message, error.details);
  }
  return data;
}

export const api = {
  get: (path, query) => request('GET', apiUrl(path, query)),
  post: (path, body = {}) => request('POST', path, body),
  patch: (path, body) => request('PATCH', path, body),
  put: (path, body) => request('PUT', path, body),
  del: (path) => request('DELETE', path),
};
