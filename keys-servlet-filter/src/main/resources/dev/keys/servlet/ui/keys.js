import { h, replace, field, timeEl, list, problemText, announce } from './dom.js';
import { api } from './api.js';
import { formDialog, showSecret } from './dialogs.js';

const STATUSES = ['active', 'disabled', 'pending_approval', 'rejected', 'revoked'];
// Filters and paging of the list, kept while the page is open (never the key: the API has no such field to keep).
const view = { q: '', tenant: '', ownerId: '', status: '', limit: 50, cursors: [], cursor: null };

export function canManage(session) {
  return session.rights.includes('manage');
}

/** The keys list: search, status, tenant and owner all filter the API's listing, so that paging follows them. */
export async function renderList(main, session) {
  const lockedTenant = !session.rights.includes('admin');
  if (lockedTenant) view.tenant = session.tenant;
  if (session.confined) view.ownerId = session.ownerId;
  const search = h('input', { id: 'search', type: 'search', value: view.q, placeholder: 'name, or exact key id or start', maxlength: 100 });
  const tenant = h('input', { id: 'tenant', type: 'text', value: view.tenant, readonly: lockedTenant });
  const owner = h('input', { id: 'owner', type: 'text', value: view.ownerId, readonly: session.confined });
  const status = h('select', { id: 'status-filter' }, h('option', { value: '' }, 'any'),
    STATUSES.map((st) => h('option', { value: st, selected: view.status === st }, st.replace('_', ' '))));
  const limit = h('select', { id: 'limit' }, [10, 50, 100].map((n) => h('option', { value: n, selected: view.limit === n }, String(n))));
  const form = h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter keys' },
    field('Search', search), field('Tenant', tenant, lockedTenant ? 'your tenant' : ''),
    field('Owner', owner, session.confined ? 'your own keys' : ''), field('Status', status), field('Per page', limit),
    h('div', { class: 'buttons' }, h('button', { type: 'submit' }, 'Apply')));
  const table = h('div', { class: 'table-wrap' });
  const pager = h('nav', { class: 'pager', 'aria-label': 'Pages' });
  const create = canManage(session) ? h('button', { type: 'button', id: 'create-key' }, 'Create key') : null;
  replace(main, h('div', { class: 'title-row' }, h('h1', {}, 'Keys'), create), form, table, pager);

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    // Any filter changes the listing: its paging starts again at the first page.
    Object.assign(view, { q: search.value.trim(), tenant: tenant.value.trim(), ownerId: owner.value.trim(), status: status.value,
      limit: Number(limit.value), cursors: [], cursor: null });
    load(table, pager);
  });
  if (create) create.addEventListener('click', () => createKey(session));
  await load(table, pager);
}

async function load(table, pager) {
  let page;
  try {
    page = await api.keys({ tenant: view.tenant, ownerId: view.ownerId, status: view.status, q: view.q, limit: view.limit, cursor: view.cursor });
  } catch (e) {
    replace(table, h('p', { class: 'error', role: 'alert' }, problemText(e)));
    replace(pager);
    return;
  }
  const items = page.items;
  if (!items.length) {
    replace(table, h('p', { class: 'empty' }, view.q || view.status ? 'No key matches the search.' : 'No keys.'));
  } else {
    replace(table, h('table', { class: 'keys' },
      h('caption', {}, `${items.length} keys on this page` + (view.q || view.status ? ' matching the search' : '')),
      h('thead', {}, h('tr', {}, ['Name', 'Key', 'Tenant', 'Owner', 'Status', 'Expires'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, items.map((k) => h('tr', { 'data-key-id': k.keyId },
        h('td', {}, h('a', { href: '#/keys/' + encodeURIComponent(k.keyId) }, k.name || k.keyId)),
        h('td', {}, h('code', {}, `${k.prefix}_${k.start}…`), h('br'), h('small', {}, k.keyId)),
        h('td', {}, k.tenant), h('td', {}, k.ownerId || '—'),
        h('td', {}, h('span', { class: 'badge ' + k.status }, k.status.replace('_', ' '))),
        h('td', {}, timeEl(k.expiresAt)))))));
  }
  const prev = h('button', { type: 'button', class: 'secondary', disabled: view.cursors.length === 0 }, 'Previous page');
  const next = h('button', { type: 'button', class: 'secondary', disabled: !page.nextCursor }, 'Next page');
  prev.addEventListener('click', () => { view.cursor = view.cursors.pop() || null; load(table, pager); });
  next.addEventListener('click', () => { view.cursors.push(view.cursor); view.cursor = page.nextCursor; load(table, pager); });
  replace(pager, prev, h('span', {}, `Page ${view.cursors.length + 1}`), next);
}

function splitList(text) {
  return text.split(/[\s,]+/).map((v) => v.trim()).filter(Boolean);
}

async function createKey(session) {
  const admin = session.rights.includes('admin');
  const name = h('input', { id: 'new-name', type: 'text', required: true, maxlength: 200 });
  const tenant = h('input', { id: 'new-tenant', type: 'text', value: session.tenant, readonly: !admin });
  const owner = h('input', { id: 'new-owner', type: 'text' });
  const env = h('select', { id: 'new-environment' }, h('option', { value: 'live' }, 'live'), h('option', { value: 'test' }, 'test'));
  const roles = h('input', { id: 'new-roles', type: 'text' });
  const perms = h('input', { id: 'new-permissions', type: 'text' });
  const expires = h('input', { id: 'new-expires', type: 'datetime-local' });
  const approval = h('input', { id: 'new-approval', type: 'checkbox' });
  const fields = [field('Name', name), field('Tenant', tenant), field('Owner id', owner), field('Environment', env),
    field('Roles', roles, 'space or comma separated'), field('Permissions', perms, 'e.g. hello:read documents:read'),
    field('Expires at', expires, 'optional, your local time'),
    h('div', { class: 'field check' }, approval, h('label', { for: 'new-approval' }, 'Requires approval'))];
  const created = await formDialog('Create key', fields, 'Create', () => {
    const body = { name: name.value.trim(), tenant: tenant.value.trim(), environment: env.value,
      roles: splitList(roles.value), permissions: splitList(perms.value), requiresApproval: approval.checked };
    if (owner.value.trim()) body.ownerId = owner.value.trim();
    if (expires.value) body.expiresAt = new Date(expires.value).toISOString();
    return api.create(body);
  });
  if (!created) return;
  const { key, keyId } = created;
  created.key = undefined;
  await showSecret(key, keyId);
  announce('Key ' + keyId + ' created.');
  window.location.hash = '#/keys/' + encodeURIComponent(keyId);
}

