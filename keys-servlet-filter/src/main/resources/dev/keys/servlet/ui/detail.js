import { h, replace, timeEl, list, problemText, announce, field } from './dom.js';
import { api } from './api.js';
import { chart } from './chart.js';
import { formDialog, showSecret } from './dialogs.js';
import { canManage } from './keys.js';

const MINUTE = 60000, HOUR = 3600000, DAY = 86400000;
const PERIODS = [
  { id: 'hour', label: 'Last hour, per minute', span: HOUR, step: MINUTE, granularity: 'minute' },
  { id: 'day', label: 'Last 24 hours, per hour', span: DAY, step: HOUR, granularity: 'hour' },
  { id: 'week', label: 'Last 7 days, per day', span: 7 * DAY, step: DAY, granularity: 'day' },
  { id: 'month', label: 'Last 30 days, per day', span: 30 * DAY, step: DAY, granularity: 'day' },
];

function limits(k) {
  return k.ratelimits.length ? k.ratelimits.map((r) => `${r.name}: ${r.limit} per ${r.duration}${r.burst ? ' (burst ' + r.burst + ')' : ''}`).join('; ') : '—';
}

/** One key: its fields, what the caller may do to it, its usage over time and its audit trail. */
export async function renderDetail(main, session, keyId) {
  let k;
  try {
    k = await api.key(keyId);
  } catch (e) {
    replace(main, h('h1', {}, 'Key'), h('p', { class: 'error', role: 'alert' }, problemText(e)), h('a', { href: '#/keys' }, 'Back to keys'));
    return;
  }
  const lastUse = h('dd', { id: 'last-use' }, '…');
  const rows = [
    ['Key id', h('code', {}, k.keyId)], ['Starts with', h('code', {}, `${k.prefix}_${k.start}…`)],
    ['Status', h('span', { class: 'badge ' + k.status, id: 'key-status' }, k.status.replace('_', ' '))],
    ['Tenant', k.tenant], ['Owner', k.ownerId || '—'], ['Environment', k.environment],
    ['Roles', list(k.roles)], ['Permissions', list(k.permissions)], ['Rate limits', limits(k)],
    ['Quota', k.quota ? `${k.quota.limit} per ${k.quota.period.toLowerCase()}` : '—'],
    ['Remaining uses', k.remaining === null ? 'unlimited' : (k.current && k.current.remaining !== null ? `${k.current.remaining} of ${k.remaining}` : String(k.remaining)) + (k.refill ? `, refilled by ${k.refill.amount} every ${k.refill.interval}` : '')],
    ['Quota left', k.current && k.current.quotaRemaining !== null ? `${k.current.quotaRemaining} this period` : '—'],
    ['Tier', k.tier || '—'], ['Expires', timeEl(k.expiresAt)], ['Created', timeEl(k.createdAt)], ['Updated', timeEl(k.updatedAt)],
    ['Rotated to', k.rotatedTo ? h('a', { href: '#/keys/' + encodeURIComponent(k.rotatedTo) }, k.rotatedTo) : '—'],
  ];
  const dl = h('dl', { class: 'fields' }, rows.map(([t, d]) => [h('dt', {}, t), h('dd', {}, d)]), h('dt', {}, 'Last use'), lastUse);
  const usage = h('section', { 'aria-labelledby': 'usage-title' }, h('h2', { id: 'usage-title' }, 'Usage'));
  const audit = h('section', { 'aria-labelledby': 'audit-title' }, h('h2', { id: 'audit-title' }, 'Audit trail'));
  replace(main, h('p', {}, h('a', { href: '#/keys' }, '← Keys')), h('h1', {}, k.name || k.keyId),
    actions(session, k), dl, usage, audit);
  renderUsage(usage, k.keyId, PERIODS[0], lastUse);
  renderAudit(audit, k.keyId);
}

function actions(session, k) {
  const manage = canManage(session);
  const own = session.rights.includes('self') && k.tenant === session.tenant && k.ownerId === session.ownerId;
  const out = h('div', { class: 'actions', role: 'group', 'aria-label': 'Actions' });
  const add = (label, id, fn, cls) => {
    const b = h('button', { type: 'button', id, class: cls || '' }, label);
    b.addEventListener('click', fn);
    out.append(b);
  };
  const live = k.status !== 'revoked';
  if (live && (manage || own)) add('Rotate', 'rotate', () => rotate(k));
  if (manage && k.status === 'active') add('Disable', 'disable', () => withReason(k, 'disable', 'Disable key', 'Disable'));
  if (manage && k.status === 'disabled') add('Enable', 'enable', () => act(k, 'enable', {}));
  if (manage && k.status === 'pending_approval') {
    add('Approve', 'approve', () => act(k, 'approve', {}));
    add('Reject', 'reject', () => withReason(k, 'reject', 'Reject key', 'Reject', true));
  }
  if (manage && live) add('Revoke', 'revoke', () => withReason(k, 'revoke', 'Revoke key', 'Revoke', true), 'danger');
  return out;
}

async function act(k, action, body) {
  try {
    await api.action(k.keyId, action, body);
    announce(`Key ${k.keyId}: ${action} done.`);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } catch (e) {
    announce(problemText(e));
  }
}

async function withReason(k, action, title, label, danger) {
  const reason = h('textarea', { id: 'reason', rows: 3, maxlength: 500 });
  const done = await formDialog(title, [field('Reason', reason, 'kept in the audit trail')], label,
    () => api.action(k.keyId, action, reason.value.trim() ? { reason: reason.value.trim() } : {}),
    { danger, intro: action === 'revoke' ? 'A revoked key fails from the next request, on every instance. This cannot be undone.' : null });
  if (done) {
    announce(`Key ${k.keyId}: ${action} done.`);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  }
}

async function rotate(k) {
  const grace = h('select', { id: 'grace' }, [['PT0S', 'none: the old key stops now'], ['PT1H', '1 hour'], ['PT24H', '24 hours'], ['P7D', '7 days']]
    .map(([v, t], i) => h('option', { value: v, selected: i === 1 }, t)));
  const fresh = await formDialog('Rotate key', [field('Grace period', grace, 'how long the old key keeps working')], 'Rotate',
    () => api.action(k.keyId, 'rotate', { gracePeriod: grace.value }),
    { intro: 'A new key replaces this one, with the same owner, permissions and limits.' });
  if (!fresh) return;
  const { key, keyId } = fresh;
  fresh.key = undefined;
  await showSecret(key, keyId);
  window.location.hash = '#/keys/' + encodeURIComponent(keyId);
}

async function renderUsage(section, keyId, period, lastUse) {
  const select = h('select', { id: 'period' }, PERIODS.map((p) => h('option', { value: p.id, selected: p === period }, p.label)));
  const refresh = h('button', { type: 'button', class: 'secondary', id: 'refresh-usage' }, 'Refresh');
  const body = h('div', { id: 'usage-chart' }, 'Loading…');
  replace(section, h('h2', { id: 'usage-title' }, 'Usage'), h('div', { class: 'filters' }, field('Period', select), h('div', { class: 'buttons' }, refresh)), body);
  const draw = async () => {
    const p = PERIODS.find((x) => x.id === select.value);
    const to = Math.ceil(Date.now() / p.step) * p.step, from = to - p.span;
    try {
      const u = await api.usage(keyId, { from: new Date(from).toISOString(), to: new Date(to).toISOString(), granularity: p.granularity });
      replace(body, chart(u, from, to, p.step));
      findLastUse(keyId, lastUse);
    } catch (e) {
      replace(body, h('p', { class: e.status === 404 ? 'empty' : 'error' }, e.status === 404 ? 'No usage log on this service.' : problemText(e)));
    }
  };
  select.addEventListener('change', draw);
  refresh.addEventListener('click', draw);
  await draw();
}

async function findLastUse(keyId, dd) {
  const to = Date.now(), from = to - 30 * DAY;
  try {
    const u = await api.usage(keyId, { from: new Date(from).toISOString(), to: new Date(to).toISOString(), granularity: 'hour' });
    const last = u.counts.map((c) => c.periodStart).sort().pop();
    replace(dd, last ? ['within the hour from ', timeEl(last)] : 'not in the last 30 days');
  } catch (e) {
    replace(dd, '—');
  }
}

function change(name, pair) {
  return h('li', {}, h('code', {}, name), ': ', pair[0] === undefined || pair[0] === null ? '—' : pair[0], ' → ', pair[1] === undefined || pair[1] === null ? '—' : pair[1]);
}

async function renderAudit(section, keyId) {
  let page;
  try {
    page = await api.audit({ keyId, limit: 50 });
  } catch (e) {
    section.append(h('p', { class: e.status === 404 ? 'empty' : 'error' }, e.status === 404 ? 'No audit log on this service.' : problemText(e)));
    return;
  }
  if (!page.items.length) {
    section.append(h('p', { class: 'empty' }, 'No events.'));
    return;
  }
  section.append(h('ol', { class: 'timeline', id: 'audit' }, page.items.map((e) => h('li', { 'data-action': e.action },
    timeEl(e.at), ' ', h('strong', {}, e.action), ' by ', h('code', {}, e.actor), e.reason ? [' — ', e.reason] : null,
    Object.keys(e.changes).length ? h('ul', { class: 'changes' }, Object.entries(e.changes).map(([n, p]) => change(n, p))) : null))));
}
