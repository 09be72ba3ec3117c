// Journey of the supervision centre (监察中心): a supervisor keeps the board open; in other
// browser contexts a clerk files a case, the administrator moves the simulated clock two days,
// and the clerk accepts the case recording the real acceptance time as the filing time (补录).
// The open board receives the 体外循环 finding over its live stream, without reloading; then
// its drill-down and export links work.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launchBrowser, closeBrowser, newPage, closePage, signIn, signOut, pathOf,
  validIdNumber, screenshot, assertNoServerErrors, PHONE,
} from './lib.mjs';

const ITEM = 'QR00701002'; // 国有建设用地使用权及房屋所有权转移登记 (自然资源局)
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await closeBrowser(browser); });

function pdf(name) {
  return { name, mimeType: 'application/pdf', buffer: Buffer.from(`%PDF-1.4\n% ${name}\n%%EOF\n`) };
}

async function submit(page, button) {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), button.click()]);
}

/** The value of one fact on the case page, e.g. 收件时间. */
async function fact(page, name) {
  return (await page.locator('[data-testid=facts] dt', { hasText: name })
    .locator('xpath=following-sibling::dd[1]').innerText()).trim();
}

test('an open board receives a backdated acceptance as 体外循环 live, and its links work', async () => {
  const board = await newPage(browser);
  const clerk = await newPage(browser);
  const admin = await newPage(browser);
  try {
    // The supervisor opens the board from the workbench and leaves it open.
    await signIn(board, 'jiancha');
    await submit(board, board.locator('main a[href="/supervision"]'));
    assert.equal(pathOf(board), '/supervision');
    assert.match(await board.locator('h1').innerText(), /监察中心/);
    assert.match(await board.locator('[data-testid=rate]').innerText(), /现场办结率（目标 ≥ 90%）/);
    assert.ok(await board.locator('[data-testid=regions] li').count() >= 2, 'the region tree');
    await board.locator('[data-live]:not(.off)', { hasText: '实时更新中' }).waitFor({ state: 'visible' });
    await board.evaluate(() => { window.__sameBoard = true; });
    await screenshot(board, 'board-open.png');

    // A walk-in at the 自然资源局 window.
    await signIn(clerk, 'zrzy.clerk');
    await clerk.goto(`/cases/new?item=${ITEM}`);
    const form = clerk.locator('[data-testid=apply-form]');
    await form.locator('input[name=name]').fill('钱补录');
    await form.locator('input[name=id_code]').fill(validIdNumber({ seq: 88 }));
    await form.locator('input[name=phone]').fill('13800138088');
    await form.locator('input[name=commit]').check();
    for (const key of ['m1', 'm2', 'm3', 'm4']) {
      await form.locator(`input[name=m_${key}]`).setInputFiles(pdf(`${key}.pdf`));
    }
    await submit(clerk, form.locator('button[type=submit]'));
    assert.match(pathOf(clerk), /^\/cases\//);
    const number = (await clerk.locator('[data-testid=case-number]').innerText()).trim();
    const filed = await fact(clerk, '收件时间'); // YYYY-MM-DD HH:MM, Beijing time

    // Two days pass.
    await signIn(admin, 'admin');
    await admin.goto('/admin/clock');
    await admin.fill('input[name=days]', '2');
    await submit(admin, admin.locator('form[action="/admin/clock"] button[type=submit]'));

    // The clerk's session ended meanwhile; signed in again, the clerk accepts the case and
    // records that it was really accepted when it was filed.
    await signIn(clerk, 'zrzy.clerk');
    await clerk.goto(`/cases/${number}`);
    const accept = clerk.locator('form[data-action=accept]');
    const when = accept.locator('input[name=occurred_at]');
    const earliest = await when.getAttribute('min');
    assert.ok(earliest.replace('T', ' ').startsWith(filed.slice(0, 10)), `${earliest} vs ${filed}`);
    await when.fill(earliest);
    await submit(clerk, accept.locator('button[value=accept]'));
    assert.equal((await clerk.locator('[data-testid=status]').innerText()).trim(), '办理中');
    assert.match(await fact(clerk, '受理时间'), new RegExp(filed.slice(0, 10)));

    // The open board hears of it over its stream: a new row at the top, marked 新.
    const row = board.locator('[data-testid=board-findings] tr.new', { hasText: number })
      .filter({ hasText: '体外循环' }).first();
    await row.waitFor({ state: 'visible', timeout: 15_000 });
    assert.match(await row.innerText(), /新/);
    assert.equal(await board.evaluate(() => window.__sameBoard), true, 'the board was not reloaded');
    assert.equal(
      await row.locator('a').getAttribute('href'), `/cases/${number}`, 'the finding links its case');
    // The figures followed: the department's line is on the board, its numbers linked.
    const line = board.locator('[data-testid=departments] tr', { hasText: '自然资源局' });
    await line.waitFor({ state: 'visible' });
    assert.match(await line.locator('[data-figure=open]').getAttribute('href'), /^\/supervision\/cases\?/);
    assert.ok(Number(await board.locator('[data-testid=totals] [data-figure=open]').innerText()) >= 1);
    await screenshot(board, 'board-live-finding.png');

    // Two days on, the supervisor's session too has ended: signed in again, the board
    // lists the finding, and every number leads to the drill-down.
    await signIn(board, 'jiancha');
    await board.goto('/supervision');
    assert.match(await board.locator('[data-testid=board-findings]').innerText(), new RegExp(number));
    await submit(board, board.locator('[data-testid=totals] a.tile.red'));
    assert.equal(pathOf(board), '/supervision/cases');
    assert.equal(new URL(board.url()).searchParams.get('light'), 'red');
    assert.match(await board.locator('h1').innerText(), /预警办件/);
    await screenshot(board, 'board-drill-down.png');
    const exported = await board.locator('[data-testid=export]').getAttribute('href');
    assert.match(exported, /^\/supervision\/cases\.xlsx\?/);
    const workbook = await board.request.get(exported);
    assert.equal(workbook.status(), 200);
    assert.equal(workbook.headers()['content-type'], XLSX);
    assert.equal((await workbook.body()).subarray(0, 2).toString(), 'PK', 'an xlsx is a zip');

    // The filter form narrows the drill-down and keeps the choice.
    await board.selectOption('[data-testid=cases-filter] select[name=light]', 'yellow');
    await submit(board, board.locator('[data-testid=cases-filter] button[type=submit]'));
    assert.equal(new URL(board.url()).searchParams.get('light'), 'yellow');

    // The findings' export from the board.
    await board.goto('/supervision');
    const findingsHref = await board.locator('#findings a[href^="/supervision/findings.xlsx"]').first()
      .getAttribute('href');
    const findings = await board.request.get(findingsHref);
    assert.equal(findings.status(), 200);
    assert.equal(findings.headers()['content-type'], XLSX);
    assertNoServerErrors(board);
    assertNoServerErrors(clerk);
    await signOut(board);
  } finally {
    await closePage(board);
    await closePage(clerk);
    await closePage(admin);
  }
});

test('the board reads on a phone in large text', async () => {
  const page = await newPage(browser, PHONE);
  try {
    await signIn(page, 'jiancha');
    await page.goto('/prefs/text?size=large');
    await page.goto('/supervision');
    assert.equal(await page.evaluate(() => document.documentElement.className), 'large');
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= PHONE.width + 1, `no sideways scrolling of the page: ${width}px`);
    await screenshot(page, 'board-phone-large.png');
    await screenshot(page, 'board-phone-top.png', { fullPage: false });
    await page.locator('#findings').scrollIntoViewIfNeeded();
    await screenshot(page, 'board-phone-findings.png', { fullPage: false });
    assertNoServerErrors(page);
  } finally {
    await closePage(page);
  }
});
