// An applicant registers (after one ID typo), signs in and sees only masked data.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launchBrowser, closeBrowser, newPage, closePage, signIn, pathOf,
  validIdNumber, withWrongCheckChar, idCheckChar, screenshot, assertNoServerErrors,
} from './lib.mjs';

const suffix = Date.now().toString(36).slice(-5);
const LOGIN = `e2e_${suffix}`;
const NAME = '欧阳测试';
const PASSWORD = 'Qingjiang#2026';
const ID = validIdNumber({ region: '361202' });
const BAD_ID = withWrongCheckChar(ID);

let browser;
let page;
before(async () => {
  browser = await launchBrowser();
  page = await newPage(browser);
});
after(async () => {
  await closePage(page);
  await closeBrowser(browser);
});

test('the ID generator follows GB 11643', () => {
  // Published example from the standard.
  assert.equal(idCheckChar('11010519491231002'), 'X');
  assert.equal(ID.length, 18);
  assert.notEqual(BAD_ID, ID);
});

async function submitRegistration() {
  const [resp] = await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    page.getByRole('button', { name: '注册' }).click(),
  ]);
  return resp;
}

test('registration with a wrong check digit is refused with id.check_digit', async () => {
  await page.goto('/register');
  await page.check('input[name=kind][value=person]');
  await page.fill('input[name=login]', LOGIN);
  await page.fill('input[name=name]', NAME);
  await page.fill('input[name=phone]', '13912345678');
  await page.fill('input[name=id_number]', BAD_ID);
  await page.fill('input[name=password]', PASSWORD);
  const resp = await submitRegistration();

  assert.equal(pathOf(page), '/register');
  assert.ok(resp.status() >= 400 && resp.status() < 500, `status ${resp.status()}`);
  const error = page.locator('p.error');
  assert.equal(await error.count(), 1);
  assert.equal(await error.getAttribute('data-code'), 'id.check_digit');
  assert.match(await error.innerText(), /校验码/);
  // What was typed is kept, so only the ID needs fixing.
  assert.equal(await page.inputValue('input[name=login]'), LOGIN);
  assert.equal(await page.inputValue('input[name=name]'), NAME);
  await screenshot(page, 'register-error.png');
});

test('registration with a valid ID succeeds', async () => {
  await page.fill('input[name=id_number]', ID);
  await page.fill('input[name=password]', PASSWORD);
  const resp = await submitRegistration();
  assert.equal(resp.status(), 200);
  assert.equal(await page.locator('p.error').count(), 0, 'no error');
  assert.match(await page.locator('p.notice').innerText(), /注册成功/);
  assert.ok(await page.locator('form[action="/login"]').isVisible(), 'login form shown');
});

test('the new applicant signs in and sees the masked ID only', async () => {
  await signIn(page, LOGIN, PASSWORD);
  assert.equal(pathOf(page), '/me');
  assert.equal((await page.locator('[data-testid=my-name]').innerText()).trim(), NAME);
  assert.match(await page.locator('[data-testid=who]').innerText(), new RegExp(NAME));

  const masked = (await page.locator('[data-testid=my-id]').innerText()).trim();
  assert.equal(masked, `${ID.slice(0, 6)}********${ID.slice(14)}`);
  const html = await page.content();
  assert.ok(!html.includes(ID), 'full ID must not be in the page');
  assert.ok(!html.includes(ID.slice(6, 14)), 'birth date part must not be in the page');
  assert.ok(!html.includes('13912345678'), 'full phone must not be in the page');
  await screenshot(page, 'applicant-me.png');
});

test('an applicant gets 403 on admin pages', async () => {
  const resp = await page.goto('/admin/regions');
  assert.equal(resp.status(), 403);
  assert.equal(await page.locator('table').count(), 0, 'no region table');
  assert.equal(await page.locator('p.error[data-code="auth.forbidden"]').count(), 1);
  assertNoServerErrors(page);
});
