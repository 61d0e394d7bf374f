// The dashboard: sign in, then screens by the URL's fragment (#/keys, #/keys/{id}). The key typed at sign-in goes
// to the server once and is dropped; the page then holds only the session's CSRF token, in memory.
import { h, replace, field, problemText, announce } from './dom.js';
import { api, setCsrf, whenUnauthorized } from './api.js';
import { renderList } from './keys.js';
import { renderDetail } from './detail.js';

const main = document.getElementById('main');
let session = null;

function signedOut(message) {
  session = null;
  setCsrf(null);
  document.getElementById('nav').hidden = true;
  renderSignIn(message);
}

function signedIn(s) {
  session = s;
  setCsrf(s.csrfToken);
  document.getElementById('nav').hidden = false;
  const rights = s.confined ? 'your own keys' : s.rights.filter((r) => r !== 'verify').join(', ');
  replace(document.getElementById('who'), `${s.name || s.keyId} · ${s.tenant} · ${rights}`);
}

function renderSignIn(message) {
  const input = h('input', { id: 'signin-key', type: 'password', required: true, autocomplete: 'off', spellcheck: 'false' });
  const error = h('p', { class: 'error', role: 'alert', id: 'signin-error' }, message || '');
  const button = h('button', { type: 'submit' }, 'Sign in');
  const form = h('form', { class: 'signin', id: 'signin', 'aria-labelledby': 'signin-title' },
    h('h1', { id: 'signin-title' }, 'Sign in'),
    h('p', {}, 'Sign in with a key holding keys:admin, keys:manage, keys:read or keys:self. It is sent once, '
      + 'exchanged for a session of this browser tab, and never kept by the page.'),
    field('API key', input), error, h('div', { class: 'buttons' }, button));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const key = input.value;
    input.value = '';
    button.disabled = true;
    try {
      signedIn(await api.signIn(key));
      if (!window.location.hash.startsWith('#/keys')) window.location.hash = '#/keys';
      else route();
    } catch (e) {
      error.textContent = problemText(e);
      input.focus();
    } finally {
      button.disabled = false;
    }
  });
  replace(main, form);
  input.focus();
}

async function route() {
  if (!session) return;
  const hash = window.location.hash;
  const m = /^#\/keys\/([^/]+)$/.exec(hash);
  if (m) await renderDetail(main, session, decodeURIComponent(m[1]));
  else await renderList(main, session);
  main.focus({ preventScroll: true });
}

document.getElementById('signout').addEventListener('click', async () => {
  try {
    await api.signOut();
  } catch (e) {
    announce(problemText(e));
  }
  window.location.hash = '';
  signedOut('Signed out.');
});
whenUnauthorized(() => signedOut('Your session ended; sign in again.'));
window.addEventListener('hashchange', route);

(async () => {
  try {
    signedIn(await api.session());
    route();
  } catch (e) {
    signedOut('');
  }
})();
