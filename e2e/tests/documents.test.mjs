// Journeys of sealed documents: an applicant downloads a decision's PDF from the case page and
// the public verification page says it is valid; a copy with one byte changed says altered;
// a licence from an earlier case is offered on a new application and used without an upload.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import {
  launchBrowser, closeBrowser, newPage, closePage, signIn, pathOf, screenshot, assertNoServerErrors,
} from './lib.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await closeBrowser(browser); });

/** Click a submit button and wait for the page it leads to. */
async function submit(page, button) {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), button.click()]);
}

/** corp01's decided demo case (企业设立登记), by the API with the page's own session. */
async function decidedCase(page) {
  const resp = await page.request.get('/api/v1/cases');
  assert.equal(resp.status(), 200);
  const list = await resp.json();
  const closed = (list.cases ?? list).filter((c) => c.status === 'closed');
  assert.ok(closed.length > 0, 'corp01 has a delivered demo case');
  return closed[closed.length - 1].number;
}

/** Uploads a file on the public verification page (signed out) and answers the verdict. */
async function verifyUpload(name, buffer) {
  const page = await newPage(browser);
  try {
    await page.goto('/verify');
    await submit(page, page.locator('[data-testid=verify-file-link]'));
    const form = page.locator('[data-testid=verify-upload]');
    await form.locator('input[name=file]').setInputFiles({ name, mimeType: 'application/pdf', buffer });
    await submit(page, form.locator('button[type=submit]'));
    const verdict = page.locator('[data-testid=file-verdict]');
    await screenshot(page, `verify-${name}`);
    assertNoServerErrors(page);
    return {
      verdict: await verdict.getAttribute('data-verdict'),
      text: await verdict.innerText(),
    };
  } finally {
    await closePage(page);
  }
}

let decision;

test('an applicant downloads the sealed decision and the public page says it is valid', async () => {
  const page = await newPage(browser, undefined, { acceptDownloads: true });
  try {
    await signIn(page, 'corp01');
    const number = await decidedCase(page);
    await page.goto(`/cases/${number}`);
    const item = page.locator('[data-testid=documents] li', { hasText: '准予行政许可决定书' });
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      item.locator('[data-testid=pdf]').click(),
    ]);
    decision = await readFile(await download.path());
    assert.equal(decision.subarray(0, 5).toString(), '%PDF-');
    assert.ok(decision.length < 300 * 1024, `${decision.length} bytes`);
    assertNoServerErrors(page);
  } finally {
    await closePage(page);
  }
  const { verdict, text } = await verifyUpload('decision.pdf', decision);
  assert.equal(verdict, 'valid');
  assert.match(text, /有效/);
  assert.match(text, /清江市市场监管局/);
  assert.match(text, /准予行政许可决定书/);
  // Only what the public may see: the company name is masked.
  assert.doesNotMatch(text, /星火科技有限公司/);
});

test('a copy with one byte changed says altered', async () => {
  assert.ok(decision, 'the first journey downloaded the decision');
  const altered = Buffer.from(decision);
  const at = Math.floor(altered.length / 3);
  altered[at] ^= 0x01;
  const { verdict, text } = await verifyUpload('altered.pdf', altered);
  assert.equal(verdict, 'altered');
  assert.match(text, /篡改/);
});

test('a file that is not a PDF or OFD is refused with its code', async () => {
  const page = await newPage(browser);
  try {
    await page.goto('/verify/file');
    const form = page.locator('[data-testid=verify-upload]');
    await form.locator('input[name=file]').setInputFiles({ name: 'x.png', mimeType: 'image/png', buffer: Buffer.from('\x89PNG\r\n') });
    const [resp] = await Promise.all([
      page.waitForNavigation({ waitUntil: 'load' }),
      form.locator('button[type=submit]').click(),
    ]);
    assert.equal(resp.status(), 422);
    assert.equal(await page.locator('[data-testid=verify-error]').getAttribute('data-code'), 'document.not_a_document');
  } finally {
    await closePage(page);
  }
});

test('a licence from an earlier case is reused in a new application without an upload', async () => {
  const page = await newPage(browser);
  try {
    await signIn(page, 'corp01');
    await page.goto('/licences');
    assert.match(await page.locator('[data-testid=licences]').innerText(), /营业执照/);
    await page.goto('/items/XK00601001');
    await submit(page, page.locator('[data-testid=apply]'));
    const form = page.locator('[data-testid=apply-form]');
    const choice = form.locator('[data-testid=licence-choice]');
    assert.match(await choice.innerText(), /营业执照/);
    // The licence is offered and chosen; m2 gets no file.
    assert.equal(await choice.locator('input[type=radio]').first().isChecked(), true);
    await form.locator('input[name=commit]').check();
    const pdf = (name) => ({ name, mimeType: 'application/pdf', buffer: Buffer.from(`%PDF-1.4\n% ${name}\n%%EOF\n`) });
    await form.locator('input[name=m_m1]').setInputFiles(pdf('申请书.pdf'));
    await form.locator('input[name=m_m3]').setInputFiles(pdf('设备布局.pdf'));
    await form.locator('input[name=m_m4]').setInputFiles(pdf('管理制度.pdf'));
    await screenshot(page, 'apply-with-licence');
    await submit(page, form.locator('button[type=submit]'));
    assert.match(await page.locator('[data-testid=check-materials]').innerText(), /电子证照/);
    await submit(page, page.locator('[data-testid=confirm-form] button[type=submit]'));
    assert.match(pathOf(page), /^\/cases\/\d{6}-\d{8}-\d{6}$/);
    const row = page.locator('[data-testid=materials] tr[data-key=m2]');
    assert.match(await row.innerText(), /电子证照/);
    assert.match(await row.innerText(), /免提交/);
    // The examining step opens the licence and sees it checked now.
    const href = await row.locator('a[href^="/licences/"]').first().getAttribute('href');
    assert.ok(href, 'the material links to its licence');
    await page.goto(href);
    const status = page.locator('[data-testid=licence-status]');
    assert.equal(await status.getAttribute('data-status'), 'valid');
    assert.match(await status.innerText(), /已核验/);
    await screenshot(page, 'licence');
    assertNoServerErrors(page);
  } finally {
    await closePage(page);
  }
});
