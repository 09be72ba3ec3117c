// A window clerk of 市场监管局: workbench, department-only view, sign-out.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launchBrowser, closeBrowser, newPage, closePage, signIn, signOut, pathOf,
  texts, screenshot, assertNoServerErrors,
} from './lib.mjs';

const OTHER_DEPARTMENTS = [
  '清江市住建局', '清江市人社局', '清江市民政局', '清江市公安局', '清江市卫健委',
  '清江市自然资源局', '清江市交通运输局', '清江市教育局', '清江市税务局',
];

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

test('scjg.clerk signs in and sees the own department workbench', async () => {
  await signIn(page, 'scjg.clerk');
  assert.equal(pathOf(page), '/workbench');
  // Demo names come from a generator; the header names whoever signed in, with their role.
  const who = (await page.locator('[data-testid=who]').innerText()).trim();
  assert.match(who, /^\S+（窗口人员）$/);
  const myName = who.replace(/（.*$/, '');
  assert.equal((await page.locator('[data-testid=role]').innerText()).trim(), '窗口人员');
  assert.equal((await page.locator('[data-testid=department]').innerText()).trim(), '清江市市场监管局');
  assert.match(await page.locator('[data-testid=scope]').innerText(), /清江市/);

  const windows = await texts(page, '[data-testid=windows] li');
  assert.ok(windows.some((w) => w.startsWith('A01')), `windows: ${windows.join(' | ')}`);

  const colleagues = await texts(page, '[data-testid=colleagues] li');
  assert.equal(colleagues.length, 4, `colleagues: ${colleagues.join(' | ')}`);
  const roles = colleagues.map((c) => c.replace(/^.*（(.*)）$/, '$1')).sort();
  assert.deepEqual(roles, ['审批人员', '窗口人员', '窗口人员', '部门负责人'].sort());
  assert.ok(colleagues.some((c) => c.startsWith(myName + '（')), `${myName} among colleagues`);

  const body = await page.locator('body').innerText();
  for (const other of OTHER_DEPARTMENTS) {
    assert.ok(!body.includes(other), `workbench mentions ${other}`);
  }
  await screenshot(page, 'clerk-workbench.png');
});

test('/admin/departments shows only the clerk\'s department', async () => {
  const resp = await page.goto('/admin/departments');
  assert.equal(resp.status(), 200);
  const names = await texts(page, 'table tbody tr td:nth-child(2)');
  assert.deepEqual(names, ['清江市市场监管局']);
  const html = await page.content();
  for (const other of OTHER_DEPARTMENTS) {
    assert.ok(!html.includes(other), `departments page mentions ${other}`);
  }
});

test('/admin/staff lists only the clerk\'s department', async () => {
  const resp = await page.goto('/admin/staff');
  assert.equal(resp.status(), 200);
  const logins = await texts(page, 'table tbody tr td:nth-child(1)');
  assert.deepEqual(logins.sort(), ['scjg.approver', 'scjg.clerk', 'scjg.clerk2', 'scjg.head']);
});

test('signing out ends the session', async () => {
  await page.goto('/workbench');
  await signOut(page);
  assert.equal(await page.locator('[data-testid=who]').count(), 0, 'no signed-in header');
  const resp = await page.goto('/workbench');
  assert.equal(pathOf(page), '/login', 'workbench redirects to login');
  assert.equal(resp.status(), 200);
  assert.ok(await page.locator('form[action="/login"]').isVisible());
  assertNoServerErrors(page);
});
