// Journeys of issue 17 at phone size (390 px): an online application through a refused upload
// (the other files kept, the token never in a URL, a reload posting nothing) and the "check
// your answers" page that names a missing required material and will not file without it;
// then the window clerk's queue with each case's time left and light, and the case search.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launchBrowser, closeBrowser, newPage, closePage, signIn, signOut, pathOf,
  screenshot, assertNoServerErrors, PHONE,
} from './lib.mjs';

const ITEM = 'QR00701002'; // 国有建设用地使用权及房屋所有权转移登记: m1–m4 required, none 容缺

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await closeBrowser(browser); });

function pdf(name) {
  return { name, mimeType: 'application/pdf', buffer: Buffer.from(`%PDF-1.4\n% ${name}\n%%EOF\n`) };
}

async function submit(page, button) {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), button.click()]);
}

/** Nothing wider than the phone's screen. */
async function assertFits(page, what) {
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 390, `${what}: the page is ${wide} px wide on a 390 px screen`);
}

let number;

test('an online application keeps its files after a refused one and is checked before it is filed', async () => {
  const page = await newPage(browser, PHONE);
  const posts = [];
  const leaked = [];
  page.on('request', (r) => {
    if (r.url().includes('csrf=')) leaked.push(r.url());
    if (r.method() === 'POST') posts.push(r.url());
  });
  try {
    await signIn(page, 'user02');
    await page.goto(`/items/${ITEM}`);
    await submit(page, page.locator('[data-testid=apply]'));
    let form = page.locator('[data-testid=apply-form]');
    await form.locator('input[name=commit]').check();
    await form.locator('input[name=m_m1]').setInputFiles(pdf('申请书.pdf'));
    await form.locator('input[name=m_m2]').setInputFiles({ name: '身份证.gif', mimeType: 'image/gif', buffer: Buffer.from('GIF89a') });
    await form.locator('input[name=m_m4]').setInputFiles(pdf('买卖合同.pdf'));
    await submit(page, form.locator('button[type=submit]'));

    // Back at the form after a redirect: the refusal names the file; 申请书 is kept.
    assert.match(page.url(), /\/apply\?draft=[0-9a-f]{32}$/);
    assert.match(await page.locator('[data-testid=error]').innerText(), /身份证\.gif/);
    assert.match(await page.locator('[data-testid=kept-m1]').innerText(), /申请书\.pdf/);
    assert.match(await page.locator('[data-testid=kept-m4]').innerText(), /买卖合同\.pdf/, 'a file after the refused one is kept too');
    assert.ok(await page.locator('[data-testid=kept-m1] input[name=keep]').isChecked());
    await screenshot(page, 'ux-apply-upload-refused-phone');
    await assertFits(page, 'the form after a refusal');
    const before = posts.length;
    await page.reload({ waitUntil: 'load' });
    assert.equal(posts.length, before, 'a reload posts nothing');
    assert.match(await page.locator('[data-testid=kept-m1]').innerText(), /申请书\.pdf/);

    // The identity document again, as a PDF; m3 (不动产权证书) still missing.
    form = page.locator('[data-testid=apply-form]');
    await form.locator('input[name=m_m2]').setInputFiles(pdf('身份证明.pdf'));
    await submit(page, form.locator('button[type=submit]'));
    assert.match(pathOf(page), /\/apply\/check$/);
    const blocking = page.locator('[data-testid=blocking]');
    assert.match(await blocking.innerText(), /不动产权证书/);
    assert.equal(await page.locator('[data-testid=confirm-form]').count(), 0, 'no way to file without it');
    const summary = await page.locator('[data-testid=check-materials]').innerText();
    for (const f of ['申请书.pdf', '身份证明.pdf', '未提交']) assert.ok(summary.includes(f), `${f} in ${summary}`);
    await screenshot(page, 'ux-check-answers-missing-phone');
    await assertFits(page, 'the check page');

    // Back to the form: the three files are kept; m3 is added, and the application is filed.
    await submit(page, page.locator('[data-testid=back-to-form]'));
    form = page.locator('[data-testid=apply-form]');
    assert.equal(await form.locator('input[name=keep]:checked').count(), 3);
    await form.locator('input[name=m_m3]').setInputFiles(pdf('不动产权证书.pdf'));
    await submit(page, form.locator('button[type=submit]'));
    assert.equal(await page.locator('[data-testid=blocking]').count(), 0);
    assert.match(await page.locator('[data-testid=check-materials]').innerText(), /不动产权证书\.pdf/);
    await screenshot(page, 'ux-check-answers-complete-phone');
    await submit(page, page.locator('[data-testid=confirm-form] button[type=submit]'));
    assert.match(pathOf(page), /^\/cases\/\d{6}-\d{8}-\d{6}$/);
    number = (await page.locator('[data-testid=case-number]').innerText()).trim();
    const filedPosts = posts.length;
    await page.reload({ waitUntil: 'load' });
    assert.equal(posts.length, filedPosts, 'a reload of the case posts nothing');
    await page.goBack({ waitUntil: 'load' });
    assert.match(pathOf(page), /^\/cases\//, 'the check page, once filed, leads to the case');
    assert.deepEqual(leaked, [], "no URL carries the session's token");
    assertNoServerErrors(page);
  } finally {
    await closePage(page);
  }
});

test('the window queue shows time left and the light; staff search cases in their scope', async () => {
  assert.ok(number, 'the first journey filed a case');
  const page = await newPage(browser, PHONE);
  try {
    await signIn(page, 'zrzy.clerk');
    await page.goto('/workbench');
    const row = page.locator(`[data-testid=window-queue] tr[data-number="${number}"]`);
    assert.match(await row.locator('[data-testid=left]').innerText(), /剩余|今日到期/);
    assert.match(await row.locator('[data-testid=light]').innerText(), /正常|黄灯预警|红灯超期/);
    await row.scrollIntoViewIfNeeded();
    await screenshot(page, 'ux-window-queue-phone');
    await assertFits(page, 'the workbench');

    // The workbench's one box: by the applicant's name.
    await page.fill('[data-testid=case-search-box] input[name=q]', '王');
    await submit(page, page.locator('[data-testid=case-search-box] button[type=submit]'));
    assert.equal(pathOf(page), '/cases/search');
    await page.fill('[data-testid=case-search] input[name=name]', '');
    await page.fill('[data-testid=case-search] input[name=number]', number.slice(7));
    await submit(page, page.locator('[data-testid=case-search] button[type=submit]'));
    const results = page.locator('[data-testid=search-results]');
    assert.equal(await results.locator(`tr[data-number="${number}"]`).count(), 1);
    await screenshot(page, 'ux-case-search-phone');
    await assertFits(page, 'the search results');
    await signOut(page);

    // Another department's clerk does not find it.
    await signIn(page, 'scjg.clerk');
    await page.goto(`/cases/search?number=${number}`);
    assert.equal(await page.locator(`tr[data-number="${number}"]`).count(), 0);
    assert.match(await page.locator('[data-testid=no-results]').innerText(), /没有符合条件/);
    assertNoServerErrors(page);
  } finally {
    await closePage(page);
  }
});
