// Journeys of staff (issue 17, items 13, 16, 20, 21): a window clerk starts intake from a
// search by name; a supplement marks its files as new beside the old ones, and PDFs and
// images preview in the page; time passes (the simulated clock), and the supervisor reaches
// the supervision centre from the top navigation, sees who answers for the overdue case and
// how many working days it is late, confirms a 督办 before it goes out and gives an efficiency
// warning from its page; the administrator reads all of it in the audit log, in words, each
// object named and linked. Desktop and phone (390 px).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launchBrowser, closeBrowser, newPage, closePage, signIn, signOut, pathOf,
  validIdNumber, screenshot, assertNoServerErrors, PHONE,
} from './lib.mjs';

const ITEM = 'QR00701002'; // 国有建设用地使用权及房屋所有权转移登记 (自然资源局)
// A 1×1 PNG: the server sniffs the first bytes.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await closeBrowser(browser); });

function pdf(name) {
  return { name, mimeType: 'application/pdf', buffer: Buffer.from(`%PDF-1.4\n% ${name}\n%%EOF\n`) };
}

async function submit(page, button) {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), button.click()]);
}

/** Nothing on the page is wider than the screen. */
async function fitsScreen(page) {
  const [scroll, client] = await page.evaluate(() => [
    document.documentElement.scrollWidth, document.documentElement.clientWidth,
  ]);
  assert.ok(scroll <= client + 1, `page ${scroll}px wide on a ${client}px screen`);
}

let number;
let clerkName;

test('a clerk starts intake from a search by name, and a supplement shows as new with previews', async () => {
  const page = await newPage(browser);
  const phone = await newPage(browser, PHONE);
  try {
    await signIn(page, 'zrzy.clerk');
    clerkName = (await page.locator('[data-testid=who]').innerText()).trim().replace(/（.*$/, '');
    await page.goto('/workbench');
    await submit(page, page.locator('a', { hasText: '窗口收件' }));
    // No code box: a search, with the desk's own department's items offered before typing.
    assert.equal(await page.locator('input[name=item]').count(), 0, 'no code box');
    assert.ok(await page.locator('[data-testid=intake-choices] li').count() > 0, 'own items offered');
    await page.fill('[data-testid=intake-search] input[name=q]', '房屋转移登记');
    await submit(page, page.locator('[data-testid=intake-search] button'));
    const hit = page.locator(`[data-testid=intake-choices] a[href^="/cases/new?item=${ITEM}"]`);
    assert.equal(await hit.count(), 1, 'the item is found by its name');
    await screenshot(page, 'staff-intake-search.png');
    await signIn(phone, 'zrzy.clerk');
    await phone.goto('/cases/new?q=%E6%88%BF%E5%B1%8B%E8%BD%AC%E7%A7%BB%E7%99%BB%E8%AE%B0');
    await fitsScreen(phone);
    await screenshot(phone, 'staff-intake-search-phone.png');
    await submit(page, hit);
    assert.match(await page.locator('[data-testid=item-name]').innerText(), /转移登记/);

    // A walk-in; the scan of m3 is unreadable, m2 is a photo.
    const form = page.locator('[data-testid=apply-form]');
    await form.locator('input[name=name]').fill('孙补正');
    await form.locator('input[name=id_code]').fill(validIdNumber({ seq: 66 }));
    await form.locator('input[name=phone]').fill('13800138066');
    await form.locator('input[name=commit]').check();
    await form.locator('input[name=m_m1]').setInputFiles(pdf('申请书.pdf'));
    await form.locator('input[name=m_m2]').setInputFiles({ name: '身份证照片.png', mimeType: 'image/png', buffer: PNG });
    await form.locator('input[name=m_m3]').setInputFiles(pdf('不动产权证书-模糊.pdf'));
    await form.locator('input[name=m_m4]').setInputFiles(pdf('合同.pdf'));
    await submit(page, form.locator('button[type=submit]'));
    assert.match(pathOf(page), /^\/cases\//);
    number = (await page.locator('[data-testid=case-number]').innerText()).trim();
    assert.equal(await page.locator('[data-testid=file-new]').count(), 0, 'nothing new at filing');

    const notice = page.locator('form[data-action=notice]');
    await notice.locator('input[name=notice][value=m3]').check();
    await notice.locator('input[name=why_m3]').fill('扫描件模糊，请重新提交');
    await submit(page, notice.locator('button[type=submit]'));
    const supplement = page.locator('form[data-action=add_materials]');
    await supplement.locator('input[name=m_m3]').setInputFiles(pdf('不动产权证书-清晰.pdf'));
    await submit(page, supplement.locator('button[type=submit]'));

    // The re-supplied file is marked new, the old one beside it as the original.
    const m3 = page.locator('[data-testid=materials] tr[data-key=m3]');
    assert.match(await m3.locator('li.file-new').innerText(), /不动产权证书-清晰\.pdf/);
    assert.match(await m3.locator('[data-testid=file-new]').innerText(), /新补交/);
    assert.match(await m3.locator('li', { hasText: '模糊' }).locator('[data-testid=file-old]').innerText(), /原提交/);

    // The photo previews in the page; the PDF is framed from the same checked address, inline.
    const m2 = page.locator('[data-testid=materials] tr[data-key=m2]');
    await m2.locator('details.preview summary').click();
    const img = m2.locator('[data-testid=preview-image]');
    await img.waitFor({ state: 'visible' });
    assert.ok(await img.evaluate((el) => el.complete && el.naturalWidth > 0), 'the image loaded');
    const frame = page.locator('[data-testid=materials] tr[data-key=m1] [data-testid=preview-pdf]');
    const src = await frame.getAttribute('src');
    const r = await page.request.get(src);
    assert.equal(r.status(), 200);
    assert.equal(r.headers()['content-type'], 'application/pdf');
    assert.match(r.headers()['content-disposition'], /^inline/);
    assert.equal(r.headers()['x-frame-options'], 'SAMEORIGIN');
    // Someone who does not see the case gets nothing from the same address.
    const stranger = await newPage(browser);
    await signIn(stranger, 'user02');
    assert.equal((await stranger.request.get(src)).status(), 404);
    await closePage(stranger);
    await screenshot(page, 'staff-supplied-files.png');
    await phone.goto(`/cases/${number}`);
    await phone.locator('[data-testid=materials] tr[data-key=m2] details.preview summary').click();
    await fitsScreen(phone);
    await screenshot(phone, 'staff-supplied-files-phone.png');

    // Accepted: the clocks run.
    await submit(page, page.locator('form[data-action=accept] button[value=accept]'));
    assert.equal((await page.locator('[data-testid=status]').innerText()).trim(), '办理中');
    assertNoServerErrors(page);
    assertNoServerErrors(phone);
  } finally {
    await closePage(page);
    await closePage(phone);
  }
});

test('the supervisor finds the overdue case from the top navigation, confirms a 督办 and warns', async () => {
  const page = await newPage(browser);
  const phone = await newPage(browser, PHONE);
  try {
    // Thirty days pass.
    await signIn(page, 'admin');
    await page.goto('/admin/clock');
    await page.fill('input[name=days]', '30');
    await submit(page, page.locator('form[action="/admin/clock"] button[type=submit]'));
    await signOut(page);

    await signIn(page, 'jiancha');
    const nav = page.locator('header [data-testid=nav-supervision]');
    assert.equal(await nav.count(), 1, 'the supervision centre is in the top navigation');
    await submit(page, nav);
    assert.equal(pathOf(page), '/supervision');
    await page.goto('/supervision/cases?light=red');
    const row = page.locator('[data-testid=lit-cases] tr', { hasText: number }).first();
    assert.match(await row.innerText(), /已超时 \d+ 个工作日/);
    const responsible = (await row.locator('[data-testid=responsible]').innerText()).trim();
    assert.ok(responsible.length > 0 && !/^\d+$/.test(responsible), `responsible: ${responsible}`);
    await screenshot(page, 'staff-drilldown.png');
    await signIn(phone, 'jiancha');
    // On a phone the header's links sit behind 菜单.
    const menu = phone.locator('[data-testid=menu-button]');
    if (await menu.isVisible()) await menu.click();
    assert.ok(await phone.locator('header [data-testid=nav-supervision]').isVisible(), 'in the phone header too');
    await phone.goto('/supervision/cases?light=red');
    await fitsScreen(phone);
    await screenshot(phone, 'staff-drilldown-phone.png');

    // 督办: the first press asks for confirmation, naming the department and the day.
    await page.goto(`/cases/${number}`);
    const order = page.locator('form[data-action=order]');
    await order.locator('textarea[name=instruction]').fill('办件已超期，请说明原因并限期整改');
    await submit(page, order.locator('button'));
    const confirm = page.locator('[data-testid=order-confirm]');
    assert.match(await confirm.locator('[data-testid=order-department]').innerText(), /自然资源局/);
    assert.equal(await page.locator('[data-testid=orders]').count(), 0, 'not issued yet');
    await submit(page, confirm.locator('button[type=submit]'));
    assert.match(await page.locator('[data-testid=orders]').innerText(), /待回复/);

    // 效能告诫 from its page.
    await page.goto('/supervision');
    await submit(page, page.locator('[data-testid=board-admonitions]'));
    assert.equal(pathOf(page), '/supervision/admonitions');
    const before = Number(await page.locator('[data-testid=admonition-count]').innerText());
    const form = page.locator('[data-testid=admonition-form]');
    const option = form.locator('select[name=person_id] option', { hasText: clerkName }).first();
    await form.locator('select[name=person_id]').selectOption(await option.getAttribute('value'));
    await form.locator('textarea[name=reason]').fill('补正告知后超期未办结');
    await form.locator('input[name=cases]').fill(number);
    await form.locator('details.confirm summary').click();
    await submit(page, form.locator('button[type=submit]'));
    assert.match(await page.locator('[role=status]').innerText(), /效能告诫已发出/);
    assert.equal(Number(await page.locator('[data-testid=admonition-count]').innerText()), before + 1);
    const warned = page.locator('[data-testid=admonitions] tr', { hasText: clerkName }).first();
    assert.match(await warned.innerText(), new RegExp(number));
    await screenshot(page, 'staff-admonitions.png');
    await phone.goto('/supervision/admonitions');
    await fitsScreen(phone);
    await screenshot(phone, 'staff-admonitions-phone.png');
    assertNoServerErrors(page);
    assertNoServerErrors(phone);
  } finally {
    await closePage(page);
    await closePage(phone);
  }
});

test('the audit log says each action in words and names and links each object', async () => {
  const page = await newPage(browser);
  const phone = await newPage(browser, PHONE);
  try {
    await signIn(page, 'admin');
    await page.goto('/admin/audit');
    const rows = page.locator('table.audit-log tbody tr');
    const ordered = rows.filter({ has: page.locator('.audit-action', { hasText: '发出督办' }) }).first();
    const link = ordered.locator('.audit-object a');
    assert.match(await link.innerText(), new RegExp(`办件 ${number} · .*转移登记`));
    assert.equal(await link.getAttribute('href'), `/cases/${number}`);
    const warned = rows.filter({ has: page.locator('.audit-action', { hasText: '效能告诫' }) }).first();
    assert.match(await warned.locator('.audit-object').innerText(), /效能告诫/);
    const objects = await page.locator('table.audit-log .audit-object').allInnerTexts();
    for (const o of objects) assert.doesNotMatch(o, /^[a-z_]+:/, `a raw key: ${o}`);
    const actions = await page.locator('table.audit-log .audit-action').allInnerTexts();
    for (const a of actions) assert.doesNotMatch(a, /[a-z_]+\.[a-z_]+|其他操作/, `an action not in words: ${a}`);
    await screenshot(page, 'staff-audit.png');
    await submit(page, link);
    assert.equal(pathOf(page), `/cases/${number}`);
    await signIn(phone, 'admin');
    await phone.goto('/admin/audit');
    await fitsScreen(phone);
    await screenshot(phone, 'staff-audit-phone.png', { fullPage: false });
    assertNoServerErrors(page);
  } finally {
    await closePage(page);
    await closePage(phone);
  }
});
