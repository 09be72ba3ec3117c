// 一件事一次办: a citizen finds a bundle on the home page, reads its one guide (shared materials
// asked once), files it at phone size with one set of materials, and follows one progress bar;
// a window clerk opening a member case sees that it belongs to the bundle.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launchBrowser, closeBrowser, newPage, closePage, signIn, pathOf, screenshot,
  assertNoServerErrors, PHONE,
} from './lib.mjs';

function pdf(name) {
  return { name, mimeType: 'application/pdf', buffer: Buffer.from(`%PDF-1.4\n% ${name}\n%%EOF\n`) };
}

let browser;
let citizen;
let clerk;
let bundleNumber;
let memberNumbers = [];

before(async () => {
  browser = await launchBrowser();
  citizen = await newPage(browser, PHONE);
  clerk = await newPage(browser);
});
after(async () => {
  await closePage(citizen);
  await closePage(clerk);
  await closeBrowser(browser);
});

/** Nothing wider than the screen: the page does not scroll sideways. */
async function assertFitsWidth(page) {
  const [scroll, width] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(scroll <= width + 1, `page is ${scroll}px wide on a ${width}px screen`);
}

test('the home page and the guides list the demo city\'s three bundles', async () => {
  await citizen.goto('/');
  const section = citizen.locator('[data-testid=home-bundles]');
  assert.equal(await section.locator('li').count(), 3);
  assert.match(await section.innerText(), /失业一件事/);
  await citizen.goto('/items');
  assert.equal(await citizen.locator('[data-testid=guide-bundles] li').count(), 3);
  await citizen.goto('/bundles');
  assert.match(await citizen.locator('[data-testid=bundles]').innerText(), /开办餐饮店/);
  assertNoServerErrors(citizen);
});

test('a bundle\'s one guide asks a shared material once', async () => {
  await citizen.goto('/bundles/YJS0002');
  const shared = citizen.locator('[data-testid=materials] tr[data-testid=shared]');
  assert.equal(await shared.count(), 1);
  assert.match(await shared.innerText(), /居民身份证或者社会保障卡/);
  assert.match(await shared.innerText(), /只交一次/);
  assert.match(await citizen.locator('[data-testid=material-count]').innerText(), /只交一次/);
  await assertFitsWidth(citizen);
  await screenshot(citizen, 'bundle-guide-phone.png');
});

test('a citizen files the bundle at phone size and sees one progress bar', async () => {
  await signIn(citizen, 'user03');
  await citizen.goto('/bundles/YJS0002');
  await Promise.all([
    citizen.waitForNavigation({ waitUntil: 'load' }),
    citizen.locator('[data-testid=apply]').click(),
  ]);
  assert.equal(pathOf(citizen), '/bundles/YJS0002/apply');
  const form = citizen.locator('[data-testid=bundle-form]');
  // One file input per material of the one list: the shared ID once.
  const inputs = form.locator('input[type=file]');
  assert.equal(await inputs.count(), 4);
  await assertFitsWidth(citizen);
  // Every required material; the 容缺 one and the optional ones may wait.
  for (const key of ['b1', 'b3']) {
    await form.locator(`input[name=m_${key}]`).setInputFiles(pdf(`${key}.pdf`));
  }
  await form.locator('[data-testid=commit]').check();
  await screenshot(citizen, 'bundle-apply-phone.png');
  await Promise.all([
    citizen.waitForNavigation({ waitUntil: 'load' }),
    form.locator('[data-testid=submit]').click(),
  ]);
  assert.match(pathOf(citizen), /^\/bundle-cases\/YJ-361200-/, await citizen.content());
  bundleNumber = (await citizen.locator('[data-testid=bundle-number]').innerText()).trim();
  assert.match(await citizen.locator('[data-testid=flash]').innerText(), /同时生成办件/);
  const bars = citizen.locator('progress');
  assert.equal(await bars.count(), 1, 'one progress bar');
  assert.equal(await bars.getAttribute('max'), '2');
  assert.equal(await bars.getAttribute('value'), '0');
  assert.match(await citizen.locator('[data-testid=progress-label]').innerText(), /已办结 0 项，共 2 项/);
  const links = citizen.locator('[data-testid=members] a');
  assert.equal(await links.count(), 2);
  for (let i = 0; i < 2; i += 1) {
    memberNumbers.push((await links.nth(i).getAttribute('href')).replace('/cases/', ''));
  }
  await assertFitsWidth(citizen);
  await screenshot(citizen, 'bundle-progress-phone.png');
  // A reload does not post again: still one filing, the same two cases.
  await citizen.reload();
  assert.equal(await citizen.locator('[data-testid=members] a').count(), 2);
  // Each member case links back to its bundle.
  await citizen.goto(`/cases/${memberNumbers[0]}`);
  assert.match(await citizen.locator('[data-testid=bundle-link]').innerText(), new RegExp(bundleNumber));
  assertNoServerErrors(citizen);
});

test('a clerk of the members\' department sees that the case belongs to a bundle', async () => {
  await signIn(clerk, 'rsj.clerk');
  for (const number of memberNumbers) {
    await clerk.goto(`/cases/${number}`);
    const link = clerk.locator('[data-testid=bundle-link]');
    assert.match(await link.innerText(), /失业一件事/);
  }
  await clerk.locator('[data-testid=bundle-link] a').click();
  await clerk.waitForLoadState('load');
  assert.equal(pathOf(clerk), `/bundle-cases/${bundleNumber}`);
  assert.equal(await clerk.locator('[data-testid=members] a').count(), 2);
  await screenshot(clerk, 'bundle-clerk.png');
  assertNoServerErrors(clerk);
});
