// The admin API, called through the session cookie: the page never holds a key, only the session's CSRF token
// (in this module's memory), which every write carries.
const BASE = new URL('../', window.location.href).pathname;
let csrf = null;
let onUnauthorized = () => {};

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem && problem.detail ? problem.detail : 'HTTP ' + status);
    this.status = status;
    this.problem = problem;
  }
}

export function setCsrf(token) { csrf = token; }
export function whenUnauthorized(fn) { onUnauthorized = fn; }

async function call(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrf) headers['X-CSRF-Token'] = csrf;
  const res = await fetch(BASE + path, {
    method, headers, credentials: 'same-origin', cache: 'no-store', redirect: 'error',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 204) return null;
  let data = null;
  try { data = await res.json(); } catch (e) { data = null; }
  if (!res.ok) {
    if (res.status === 401 && path !== 'ui/session') onUnauthorized();
    throw new ApiError(res.status, data);
  }
  return data;
}

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const text = q.toString();
  return text ? '?' + text : '';
}

const id = (keyId) => encodeURIComponent(keyId);

export const api = {
  session: () => call('GET', 'ui/session'),
  signIn: (key) => call('POST', 'ui/session', { key }),
  signOut: () => call('DELETE', 'ui/session'),
  keys: (params) => call('GET', 'keys' + query(params)),
  key: (keyId) => call('GET', 'keys/' + id(keyId)),
  create: (body) => call('POST', 'keys', body),
  action: (keyId, action, body) => call('POST', 'keys/' + id(keyId) + '/' + action, body || {}),
  usage: (keyId, params) => call('GET', 'keys/' + id(keyId) + '/usage' + query(params)),
  audit: (params) => call('GET', 'audit' + query(params)),
};
