// Journey: a citizen asks "when is it due?" on the portal and reads why, day by day; an
// administrator records a typhoon closure and the same question gets a later answer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, closeBrowser, newPage, signIn, screenshot, PHONE } from './lib.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await closeBrowser(browser); });

async function ask(page, start, days) {
  await page.goto('/calendar');
  await page.fill('input[name=start]', start);
  await page.fill('input[name=days]', String(days));
  await Promise.all([page.waitForURL(/\/calendar\?/), page.getByRole('button', { name: '计算' }).click()]);
  return page.locator('[data-testid=due]').innerText();
}

test('the calculator counts across Spring Festival 2026 and explains each day', async () => {
  const page = await newPage(browser, PHONE);
  assert.equal(await ask(page, '2026-02-10', 5), '2026-02-24');
  const text = await page.locator('[data-testid=explanation]').innerText();
  assert.match(text, /2026-02-14 周六 春节调休上班 计入第4日/);
  assert.match(text, /2026-02-15…02-23 春节 不计入/);
  await screenshot(page, 'calendar-phone.png');
  await page.context().close();
});

test('a year with no notice yet is counted by law and marked provisional', async () => {
  const page = await newPage(browser);
  assert.equal(await ask(page, '2026-12-20', 20), '2027-01-18');
  assert.equal(
    await page.locator('[data-testid=provisional]').innerText(),
    '按法定节假日推算，待国务院公布调休安排后更新',
  );
  assert.match(await page.locator('[data-testid=explanation]').innerText(), /元旦（推算）/);
  await screenshot(page, 'calendar-provisional.png');
  await page.context().close();
});

test('a date beyond the provisional years gets an error naming the year', async () => {
  const page = await newPage(browser);
  await page.goto('/calendar?start=2040-01-10&days=20');
  const error = page.locator('p.error');
  assert.equal(await error.getAttribute('data-code'), 'calendar.year_missing');
  assert.match(await error.innerText(), /2040/);
  await page.context().close();
});

test('a typhoon closure entered by an administrator moves the due date', async () => {
  const page = await newPage(browser);
  assert.equal(await ask(page, '2026-06-01', 3), '2026-06-04');
  await signIn(page, 'admin');
  await page.goto('/admin/calendar?year=2026');
  await page.fill('form[action="/admin/calendar/day"] input[name=date]', '2026-06-03');
  await page.selectOption('select[name=kind]', 'local_closure');
  await page.fill('form[action="/admin/calendar/day"] input[name=name]', '台风停止办公');
  await Promise.all([page.waitForURL(/ok=1/), page.getByRole('button', { name: '保存', exact: true }).click()]);
  assert.match(await page.locator('table').last().innerText(), /台风停止办公/);
  assert.equal(await ask(page, '2026-06-01', 3), '2026-06-05');
  assert.match(await page.locator('[data-testid=explanation]').innerText(), /台风停止办公/);
  await page.context().close();
});
