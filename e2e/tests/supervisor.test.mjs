// A district supervisor sees only the district's regions.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launchBrowser, closeBrowser, newPage, closePage, signIn, pathOf, texts,
  screenshot, assertNoServerErrors,
} from './lib.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await closeBrowser(browser); });

test('jiangbei.jiancha sees only 江北区 regions', async () => {
  const page = await newPage(browser);
  try {
    await signIn(page, 'jiangbei.jiancha');
    assert.equal(pathOf(page), '/workbench');
    assert.equal((await page.locator('[data-testid=role]').innerText()).trim(), '监察人员');
    assert.match(await page.locator('[data-testid=scope]').innerText(), /江北区/);

    const resp = await page.goto('/admin/regions');
    assert.equal(resp.status(), 200);
    const codes = await texts(page, 'table tbody tr td:first-child');
    assert.ok(codes.length >= 2, `too few regions: ${codes.join(', ')}`);
    for (const code of codes) assert.ok(code.startsWith('361202'), `region outside 江北区: ${code}`);
    assert.ok(codes.includes('361202'), '江北区 itself is listed');
    const body = await page.locator('body').innerText();
    assert.ok(!body.includes('江南区'), 'page mentions 江南区');
    await screenshot(page, 'supervisor-regions.png');
    assertNoServerErrors(page);
  } finally {
    await closePage(page);
  }
});

test('the city administrator sees 江南区 too (control)', async () => {
  const page = await newPage(browser);
  try {
    await signIn(page, 'admin');
    await page.goto('/admin/regions');
    const codes = await texts(page, 'table tbody tr td:first-child');
    assert.ok(codes.some((c) => !c.startsWith('361202')), 'admin sees other districts');
    assert.match(await page.locator('body').innerText(), /江南区/);
  } finally {
    await closePage(page);
  }
});
