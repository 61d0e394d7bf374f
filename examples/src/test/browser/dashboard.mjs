// The dashboard in a real browser: Debian's headless Chromium driven by playwright-core (never a downloaded
// browser), against the running example. Started by DashboardBrowserTest, which passes the URL, the keys and
// where to put the screenshots; any failed check exits non-zero with the reason.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import assert from 'node:assert/strict';

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(name + ' is not set');
  return v;
};
const BASE = env('KEYS_URL');
const UI = BASE + '/admin/v1/ui/';
const SHOTS = env('SCREENSHOTS');
const ADMIN = env('ADMIN_KEY'), MANAGE = env('MANAGE_KEY'), SELF = env('SELF_KEY');
const DEFAULT_KEY_ID = env('DEFAULT_KEY_ID'), BOB_KEY_ID = env('BOB_KEY_ID'), ALICE_KEY_ID = env('ALICE_KEY_ID');
const NEEDLE_KEY_ID = env('NEEDLE_KEY_ID');
const secrets = [ADMIN, MANAGE, SELF];
mkdirSync(SHOTS, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  // Playwright gives each launch a fresh, temporary user-data-dir of its own.
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
const urls = [], problems = [];

async function open(name, options = { viewport: { width: 1100, height: 800 } }) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  page.setDefaultTimeout(20000);
  page.on('request', (r) => urls.push(r.url()));
  // A 401 of a fetch is logged as an error too: only refusals by the CSP count here.
  page.on('console', (m) => { if (m.type() === 'error' && /Content Security Policy|Refused to/.test(m.text())) problems.push(`${name}: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`${name}: ${e.message}`));
  return { context, page };
}

async function shot(page, name) {
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
  console.log('screenshot ' + name + '.png');
}

/** Signs in by keyboard alone: the field has focus, the key is typed, Enter submits. */
async function signIn(page, key) {
  const res = await page.goto(UI);
  assert.equal(res.status(), 200);
  await page.locator('#signin-key').waitFor();
  await page.waitForFunction(() => document.activeElement && document.activeElement.id === 'signin-key');
  await page.keyboard.type(key);
  await page.keyboard.press('Enter');
  await page.locator('table.keys, p.empty').first().waitFor();
}

/** Nothing the page keeps, shows or requested holds a key. */
async function assertNoKeyKept(page, extra = []) {
  const kept = await page.evaluate(() => ({
    local: JSON.stringify(Object.assign({}, localStorage)), session: JSON.stringify(Object.assign({}, sessionStorage)),
    cookie: document.cookie, html: document.documentElement.outerHTML, url: location.href,
    inputs: [...document.querySelectorAll('input')].map((i) => i.value).join('\n'),
  }));
  assert.equal(kept.local, '{}', 'localStorage is empty');
  assert.equal(kept.session, '{}', 'sessionStorage is empty');
  assert.equal(kept.cookie, '', 'the session cookie is HttpOnly: no script sees it');
  for (const k of [...secrets, ...extra]) {
    for (const [where, text] of Object.entries(kept)) assert.ok(!text.includes(k), `a key is in ${where}`);
    assert.ok(!urls.some((u) => u.includes(k)), 'a key is in a URL');
  }
}

async function hello(key) {
  return (await fetch(BASE + '/api/hello', { headers: { Authorization: 'Bearer ' + key } })).status;
}

async function rowsOf(page) {
  return page.$$eval('table.keys tbody tr', (trs) => trs.map((tr) => ({
    id: tr.getAttribute('data-key-id'), tenant: tr.children[2].textContent, owner: tr.children[3].textContent })));
}

// --- the admin: sign in, create, use, chart, rotate, revoke, sign out --------------------------------------------
{
  const { context, page } = await open('admin');
  const first = await page.goto(UI);
  const csp = first.headers()['content-security-policy'];
  assert.ok(csp && csp.startsWith("default-src 'self'"), 'CSP: ' + csp);
  assert.equal(first.headers()['x-content-type-options'], 'nosniff');
  await page.locator('#signin-key').waitFor();
  await shot(page, '1-sign-in');
  await signIn(page, ADMIN);
  assert.ok((await rowsOf(page)).length >= 1);
  await shot(page, '2-keys');
  await assertNoKeyKept(page);

  // Search and status filter ask the API, so they find a key on any page, and the pages follow them.
  const apply = async () => {
    const listed = page.waitForResponse((r) => new URL(r.url()).pathname.endsWith('/admin/v1/keys'));
    await page.getByRole('button', { name: 'Apply' }).click();
    assert.equal((await listed).status(), 200);
    await page.locator('table.keys, p.empty').first().waitFor();
  };
  await page.selectOption('#limit', '10');
  await apply();
  assert.equal((await rowsOf(page)).length, 10);
  assert.ok(!(await rowsOf(page)).some((r) => r.id === NEEDLE_KEY_ID), 'the searched key is not on the first page');
  await page.fill('#search', 'PAYROLL');
  await apply();
  assert.deepEqual((await rowsOf(page)).map((r) => r.id), [NEEDLE_KEY_ID]);
  await page.fill('#search', 'bulk filler');
  await apply();
  assert.equal((await rowsOf(page)).length, 10);
  assert.ok(await page.getByRole('button', { name: 'Next page' }).isEnabled(), 'more matches than a page');
  const firstIds = (await rowsOf(page)).map((r) => r.id);
  await page.getByRole('button', { name: 'Next page' }).click();
  await page.waitForFunction(() => document.querySelector('.pager span')?.textContent === 'Page 2');
  const second = await page.$$eval('table.keys tbody tr td:first-child', (tds) => tds.map((td) => td.textContent));
  assert.ok(second.length >= 1 && second.every((n) => n.startsWith('bulk filler')), JSON.stringify(second));
  assert.ok(!(await rowsOf(page)).some((r) => firstIds.includes(r.id)), 'page 2 goes on after page 1');
  await page.selectOption('#status-filter', 'revoked');
  await apply();
  assert.ok(await page.getByText('No key matches the search.').isVisible());
  await page.fill('#search', '');
  await page.selectOption('#status-filter', '');
  await page.selectOption('#limit', '50');
  await apply();

  await page.click('#create-key');
  await page.fill('#new-name', 'browser test key');
  await page.fill('#new-owner', 'bob');
  await page.fill('#new-permissions', 'hello:read');
  await page.getByRole('button', { name: 'Create', exact: true }).click();
  const secret = page.locator('#secret');
  await secret.waitFor();
  const plaintext = await secret.inputValue();
  assert.match(plaintext, /^sk_live_[0-9A-Za-z]{38}$/);
  assert.ok(await page.getByText('Shown once.').isVisible());
  await page.click('#copy-secret');
  await shot(page, '3-created-once');
  await page.click('#secret-done');
  await page.locator('#secret').waitFor({ state: 'detached' }); // the dialog's close event has run
  await page.locator('#key-status').waitFor();
  await assertNoKeyKept(page, [plaintext]);
  const keyId = decodeURIComponent(new URL(page.url()).hash.slice('#/keys/'.length));

  for (let i = 0; i < 3; i++) assert.equal(await hello(plaintext), 200);
  // The usage log is written every second: refresh the chart until it counts the three calls.
  const admitted = page.locator('[data-total="admitted"]');
  for (let i = 0; ; i++) {
    await page.click('#refresh-usage');
    await admitted.waitFor();
    if (Number(await admitted.textContent()) >= 3) break;
    assert.ok(i < 60, 'the chart never showed the calls');
    await page.waitForTimeout(500);
  }
  assert.ok(await page.locator('svg.chart rect.bar.admitted').count() >= 1);
  await page.locator('#audit li[data-action="create"]').first().waitFor();
  await shot(page, '4-key-detail');
  await page.locator('section[aria-labelledby="usage-title"]').screenshot({ path: `${SHOTS}/usage-chart.png` });

  await page.click('#rotate');
  await page.selectOption('#grace', 'PT1H');
  await page.getByRole('button', { name: 'Rotate', exact: true }).last().click();
  await secret.waitFor();
  const rotated = await secret.inputValue();
  assert.notEqual(rotated, plaintext);
  await shot(page, '5-rotated-once');
  await page.click('#secret-done');
  await page.locator('#secret').waitFor({ state: 'detached' }); // the dialog's close event has run
  await page.waitForFunction((old) => !location.hash.endsWith(old), keyId);
  await page.locator('#key-status').waitFor();
  assert.equal(await hello(rotated), 200);
  assert.equal(await hello(plaintext), 200, 'the old key works through its grace period');

  await page.click('#revoke');
  await page.fill('#reason', 'browser test');
  await page.getByRole('button', { name: 'Revoke', exact: true }).last().click();
  await page.waitForFunction(() => document.getElementById('key-status')?.textContent === 'revoked');
  assert.equal(await hello(rotated), 401);
  await page.locator('#audit li[data-action="revoke"]').first().waitFor();
  await shot(page, '6-revoked');
  await assertNoKeyKept(page, [plaintext, rotated]);

  await page.click('#signout');
  await page.locator('#signin-key').waitFor();
  assert.equal((await page.request.get(BASE + '/admin/v1/keys')).status(), 401, 'signed out: the cookie opens nothing');
  await shot(page, '7-signed-out');
  await context.close();
}

// --- a manager sees its tenant only; at 200% zoom (half the width, twice the scale) nothing is cut off -----------
{
  // What 200% zoom does to a 1100 px window: a viewport of 550 CSS pixels, each drawn twice as large.
  const { context, page } = await open('manage', { viewport: { width: 550, height: 800 }, deviceScaleFactor: 2 });
  await signIn(page, MANAGE);
  const rows = await rowsOf(page);
  assert.ok(rows.length >= 2, JSON.stringify(rows));
  assert.ok(rows.every((r) => r.tenant === 'acme'), JSON.stringify(rows));
  assert.ok(!rows.some((r) => r.id === DEFAULT_KEY_ID));
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  await shot(page, '8-manager-200-percent');
  assert.ok(overflow <= 2, 'horizontal overflow at 200%: ' + overflow + 'px');
  await assertNoKeyKept(page);
  await context.close();
}

// --- a keys:self holder sees and rotates only its own keys -----------------------------------------------------
{
  const { context, page } = await open('self');
  await signIn(page, SELF);
  const rows = await rowsOf(page);
  assert.ok(rows.length >= 2 && rows.every((r) => r.owner === 'alice' && r.tenant === 'acme'), JSON.stringify(rows));
  assert.ok(!rows.some((r) => r.id === BOB_KEY_ID || r.id === DEFAULT_KEY_ID));
  assert.equal(await page.locator('#create-key').count(), 0);
  await shot(page, '9-self-service');
  await page.click(`tr[data-key-id="${ALICE_KEY_ID}"] a`);
  await page.locator('#rotate').waitFor();
  assert.equal(await page.locator('#revoke').count(), 0, 'a self-service holder does not revoke');
  await page.click('#rotate');
  await page.getByRole('button', { name: 'Rotate', exact: true }).last().click();
  const fresh = await page.locator('#secret').inputValue();
  assert.equal(await hello(fresh), 200);
  await page.click('#secret-done');
  await page.locator('#secret').waitFor({ state: 'detached' }); // the dialog's close event has run
  await page.locator('#key-status').waitFor();
  const other = await page.request.get(BASE + '/admin/v1/keys/' + BOB_KEY_ID);
  assert.equal(other.status(), 404, "another owner's key is unknown to it");
  await assertNoKeyKept(page, [fresh]);
  await context.close();
}

await browser.close();
assert.deepEqual(problems, [], 'console errors (a CSP violation would be one)');
console.log('dashboard browser checks: all passed');
