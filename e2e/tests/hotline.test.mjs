// The 12345 hotline in the browser:
// (a) an operator files a 投诉 about a township; it is dispatched there, returned once,
//     dispatched again, replied to, called back as 不满意, reopened and resolved;
// (b) a citizen files on the web without an account (on a phone) and tracks it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launchBrowser, closeBrowser, newPage, closePage, signIn, signOut, pathOf,
  screenshot, assertNoServerErrors, PHONE,
} from './lib.mjs';

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

async function submit(form, button) {
  await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    page.locator(form).getByRole('button', { name: button }).click(),
  ]);
}

async function status() {
  return (await page.locator('[data-testid=ticket] [data-testid=status]').innerText()).trim();
}

let number;

test('(a) the operator files a complaint from the console and dispatches it by the routing table', async () => {
  await signIn(page, 'huawu');
  await page.goto('/hotline?phone=13800009876');
  assert.match(await page.locator('[data-testid=caller]').innerText(), /138\*\*\*\*9876/);
  const form = '[data-testid=new-ticket]';
  await page.selectOption(`${form} select[name=category]`, 'complaint');
  await page.selectOption(`${form} select[name=subject]`, 'urban.stall');
  await page.selectOption(`${form} select[name=region]`, '361202001000');
  await page.fill(`${form} input[name=caller_name]`, '欧阳来电');
  await page.fill(`${form} textarea[name=text]`, '滨江路夜市占道经营，堵塞消防通道。');
  assert.equal(await page.inputValue(`${form} input[name=caller_phone]`), '13800009876');
  await submit(form, '受理');
  assert.match(pathOf(page), /^\/hotline\/tickets\/H\d{14}$/);
  number = pathOf(page).split('/').pop();
  assert.equal(await status(), '待派单');
  assert.match(await page.locator('[data-testid=ticket] [data-testid=caller]').innerText(), /欧\*\*\*.*138\*\*\*\*9876/);
  await submit('[data-testid=dispatch]', '派单');
  assert.equal(await status(), '待签收');
  assert.match(await page.locator('[data-testid=holder]').innerText(), /临江街道综合行政执法办公室/);
  assertNoServerErrors(page);
  await signOut(page);
});

test('(a) the township returns it once with a reason', async () => {
  await signIn(page, 'linjiang.clerk');
  await page.goto(`/hotline/tickets/${number}`);
  await page.fill('[data-testid=return] input[name=reason]', '夜市由市场监管部门审批，请改派');
  await submit('[data-testid=return]', '退单');
  assert.equal(pathOf(page), '/hotline');
  await signOut(page);
});

test('(a) the operator dispatches it again to the township by hand', async () => {
  await signIn(page, 'huawu');
  await page.goto(`/hotline/tickets/${number}`);
  assert.equal(await status(), '退单待处理');
  await page.selectOption('[data-testid=dispatch] select[name=lead]', { label: '临江街道综合行政执法办公室' });
  await page.fill('[data-testid=dispatch] input[name=note]', '占道经营属街道职责，请办理');
  await submit('[data-testid=dispatch]', '派单');
  assert.equal(await status(), '待签收');
  await signOut(page);
});

test('(a) the township signs for it and replies', async () => {
  await signIn(page, 'linjiang.clerk');
  await page.goto('/hotline');
  await page.locator(`a[href="/hotline/tickets/${number}"]`).first().click();
  await page.waitForLoadState('load');
  await submit('[data-testid=sign]', '签收');
  assert.equal(await status(), '办理中');
  await page.fill('[data-testid=reply-form] textarea[name=text]', '已约谈夜市经营者，清理占道摊位。');
  await submit('[data-testid=reply-form]', '答复');
  assert.equal(await status(), '待回访');
  await signOut(page);
});

test('(a) the call-back is 不满意: the ticket is reopened to the township', async () => {
  await signIn(page, 'huawu');
  await page.goto(`/hotline/tickets/${number}`);
  await page.check('[data-testid=call-back] input[value=unsatisfied]');
  await page.fill('[data-testid=call-back] input[name=note]', '摊位又回来了');
  await submit('[data-testid=call-back]', '记录回访');
  assert.equal(await status(), '办理中');
  await signOut(page);
  await signIn(page, 'linjiang.clerk');
  await page.goto(`/hotline/tickets/${number}`);
  await page.fill('[data-testid=reply-form] textarea[name=text]', '已设置隔离设施并每日巡查。');
  await submit('[data-testid=reply-form]', '答复');
  await signOut(page);
});

test('(a) the second call-back resolves it', async () => {
  await signIn(page, 'huawu');
  await page.goto(`/hotline/tickets/${number}`);
  await page.check('[data-testid=call-back] input[value=satisfied]');
  await submit('[data-testid=call-back]', '记录回访');
  assert.equal(await status(), '已办结');
  const history = await page.locator('[data-testid=history] li').allInnerTexts();
  assert.ok(history.some((l) => l.includes('退单')), history.join('\n'));
  assert.ok(history.some((l) => l.includes('重办')), history.join('\n'));
  await screenshot(page, 'hotline-ticket-closed.png');
  assertNoServerErrors(page);
  await signOut(page);
});

test('(b) a citizen files on a phone without an account and tracks it', async () => {
  const phone = await newPage(browser, PHONE);
  try {
    await phone.goto('/12345');
    const form = '[data-testid=public-form]';
    await phone.selectOption(`${form} select[name=category]`, 'suggestion');
    await phone.selectOption(`${form} select[name=subject]`, 'urban.road');
    await phone.selectOption(`${form} select[name=region]`, '361203001000');
    await phone.fill(`${form} input[name=caller_phone]`, '13900002468');
    await phone.fill(`${form} textarea[name=text]`, '建议在南湖路增设人行横道。');
    await Promise.all([
      phone.waitForNavigation({ waitUntil: 'load' }),
      phone.locator(form).getByRole('button', { name: '提交' }).click(),
    ]);
    const filed = (await phone.locator('[data-testid=filed-number]').innerText()).trim();
    assert.match(filed, /^H\d{14}$/);
    await phone.fill('[data-testid=track-number]', filed);
    await phone.fill('[data-testid=track-tail]', '2468');
    await Promise.all([
      phone.waitForNavigation({ waitUntil: 'load' }),
      phone.locator('#track').getByRole('button', { name: '查询' }).click(),
    ]);
    assert.equal((await phone.locator('[data-testid=tracked] [data-testid=status]').innerText()).trim(), '待派单');
    // Nothing wider than the phone.
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `page overflows by ${overflow}px`);
    // A wrong tail answers like an unknown number.
    await phone.goto(`/12345?number=${filed}&tail=0000`);
    assert.equal(await phone.locator('p.error').getAttribute('data-code'), 'hotline.not_found');
    await screenshot(phone, 'hotline-public-track.png');
    assertNoServerErrors(phone);
  } finally {
    await closePage(phone);
  }
});

// (c) Duplicates: a second call about the same stall at the same address is flagged, the
//     operator merges it into the first, and its caller follows the first under the own number.
async function fileComplaint(phone, place, text) {
  await page.goto(`/hotline?phone=${phone}`);
  const form = '[data-testid=new-ticket]';
  await page.selectOption(`${form} select[name=category]`, 'complaint');
  await page.selectOption(`${form} select[name=subject]`, 'urban.stall');
  await page.selectOption(`${form} select[name=region]`, '361202001000');
  await page.fill(`${form} input[name=caller_name]`, '重复来电');
  await page.fill(`${form} input[name=place]`, place);
  await page.fill(`${form} textarea[name=text]`, text);
  await submit(form, '受理');
  return pathOf(page).split('/').pop();
}

test('(c) a second call about the same place is flagged and merged into the first', async () => {
  await signIn(page, 'huawu');
  const first = await fileComplaint('13800007771', '临江街道望江路8号', '望江路8号门口占道卖水果。');
  assert.equal(await page.locator('[data-testid=duplicates]').count(), 0);
  const second = await fileComplaint('13800007772', '临江街道 望江路 8 号', '望江路8号水果摊占了人行道。');
  const dups = page.locator('[data-testid=duplicates]');
  assert.match(await dups.innerText(), new RegExp(first));
  assert.match(await dups.innerText(), /同一事项、同一地址/);
  await screenshot(page, 'hotline-duplicate.png');
  await page.selectOption('[data-testid=merge] select[name=to]', first);
  await submit('[data-testid=merge]', '合并');
  assert.equal(await status(), '已办结');
  assert.equal((await page.locator('[data-testid=merged-into]').innerText()).trim(), first);
  const history = await page.locator('[data-testid=history] li').allInnerTexts();
  assert.ok(history.some((l) => l.includes(`与工单${first}为同一诉求`)), history.join('\n'));
  assertNoServerErrors(page);
  await signOut(page);
  // The second caller tracks the own number and is shown the first ticket's progress.
  await page.goto(`/12345?number=${second}&tail=7772`);
  assert.match(await page.locator('[data-testid=tracked] [data-testid=merged-into]').innerText(), new RegExp(first));
  assert.match(await page.locator('[data-testid=tracked] [data-testid=status]').innerText(), /已并入工单/);
});

// (d) The public monthly report, and a supervisor's drill-down from it to the tickets and
//     their workbook.
test('(d) the monthly report is public; staff drill down from a count to the tickets', async () => {
  await page.goto('/12345/report');
  const report = page.locator('[data-testid=report]');
  assert.match(await report.locator('h1').innerText(), /12345热线月度报告 \d{4}-\d{2}/);
  const hot = await page.locator('[data-testid=hot] li').allInnerTexts();
  assert.ok(hot.length > 0, 'hot subjects listed');
  assert.match(hot[0], /占道经营/);
  assert.ok(await page.locator('[data-testid=by-township] tbody tr').count() > 0);
  assert.ok(await page.locator('[data-testid=rates] tbody tr').count() > 0);
  assert.equal(await page.locator('[data-testid=by-subject] a').count(), 0, 'no drill-down for the public');
  await screenshot(page, 'hotline-report.png');
  await signIn(page, 'jiancha');
  await page.goto('/12345/report');
  const link = page.locator('[data-testid=by-subject] a[href*="subject=urban.stall"]');
  const count = Number((await link.innerText()).trim());
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), link.click()]);
  assert.equal(pathOf(page), '/hotline/list');
  assert.equal(await page.locator('[data-testid=ticket-list] tbody tr').count(), count);
  const xlsx = await page.locator('[data-testid=xlsx]').getAttribute('href');
  assert.match(xlsx, /^\/hotline\/list\.xlsx\?.*subject=urban\.stall/);
  const res = await page.request.get(xlsx);
  assert.equal(res.status(), 200);
  assert.match(res.headers()['content-type'], /spreadsheetml/);
  assertNoServerErrors(page);
  await signOut(page);
});
