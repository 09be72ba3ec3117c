// Journeys of issue 17's citizen side at phone size (390×844):
// - item 5: the home, guide, apply, case and track pages fit the screen (no element wider than
//   it), tables read as cards, the flowchart as a list of steps, the header at most 64 px;
// - item 6: 长辈版 at phone size: big targets (>= 48 px), secondary things left out, the next
//   action first;
// - item 8: the home page's 个人办事 / 法人办事 by life event link to real guides; the week's
//   hot searches come from what people searched;
// - item 10: signing in with an SMS code (read from the outbox the server sends from), single
//   use; a forgotten password reset with a code; 在线申请 only for applicants, 窗口受理 for clerks;
// - item 11: blank forms as PDF and xlsx.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import {
  launchBrowser, closeBrowser, newPage, closePage, signIn, signOut, pathOf,
  screenshot, assertNoServerErrors, PHONE, DESKTOP,
} from './lib.mjs';

const PARALLEL_ITEM = 'XK00201001'; // 建筑工程施工许可证核发: a flowchart with parallel branches
const FORM_ITEM = 'XK00101001'; // 企业设立登记: has a 申请书 with a blank form

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await closeBrowser(browser); });

async function submit(page, button) {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), button.click()]);
}

/** Nothing wider than the screen, and the header at most 64 px tall. */
async function assertPhoneLayout(page, what) {
  const m = await page.evaluate(() => {
    const vw = window.innerWidth;
    const wide = [...document.querySelectorAll('body *')]
      .filter((e) => {
        const r = e.getBoundingClientRect();
        return r.width > 0 && r.height > 0 && r.right > vw + 1 && getComputedStyle(e).position !== 'fixed';
      })
      .slice(0, 3)
      .map((e) => `${e.tagName.toLowerCase()}.${e.className}`);
    return {
      scroll: document.scrollingElement.scrollWidth,
      inner: window.innerWidth,
      header: document.querySelector('header.top').getBoundingClientRect().height,
      wide,
    };
  });
  assert.ok(m.scroll <= m.inner, `${what}: ${m.scroll} px wide on a ${m.inner} px screen (${m.wide.join(', ')})`);
  assert.deepEqual(m.wide, [], `${what}: elements past the right edge`);
  assert.ok(m.header <= 64, `${what}: the header is ${m.header} px tall`);
}

/** Every visible button, field and menu link is at least 48 px tall. */
async function assertBigTargets(page, what) {
  const small = await page.evaluate(() => [...document.querySelectorAll(
    'main .button, main button, main input:not([type=hidden]):not([type=checkbox]):not([type=radio]), main select, .menu-button, main .topic-links a, main .hot a',
  )].filter((e) => {
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && r.height < 47.5;
  }).map((e) => `${e.tagName.toLowerCase()} ${e.textContent.trim().slice(0, 12)} ${e.getBoundingClientRect().height}`));
  assert.deepEqual(small, [], `${what}: targets under 48 px`);
}

/** The newest SMS the server queued for `phone`, from its database. */
function lastSms(phone) {
  const db = path.join(process.env.TONGBAN_DATA_DIR, 'tongban.db');
  const out = execFileSync('python3', ['-c', `
import sqlite3, sys
c = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
r = c.execute("SELECT body FROM outbox WHERE channel='sms' AND recipient=? ORDER BY id DESC LIMIT 1", (sys.argv[2],)).fetchone()
print(r[0] if r else "")
`, db, phone]).toString().trim();
  return out;
}

function codeIn(sms) {
  const m = sms.match(/验证码为(\d{6})/);
  assert.ok(m, `no code in ${sms}`);
  return m[1];
}

test('phone pages fit the screen: home, guide, apply, case and track', async () => {
  const page = await newPage(browser, PHONE);
  try {
    await page.goto('/');
    await assertPhoneLayout(page, 'home');
    await screenshot(page, 'citizen-home-phone');
    // The menu opens under the one-line header.
    await page.click('[data-testid=menu-button]');
    assert.ok(await page.locator('header nav a[href="/track"]').isVisible());
    await screenshot(page, 'citizen-menu-phone', { fullPage: false });
    await page.click('[data-testid=menu-button]');

    await page.goto(`/items/${PARALLEL_ITEM}`);
    await assertPhoneLayout(page, 'guide');
    assert.equal(await page.locator('[data-testid=flowchart] svg').isVisible(), false, 'the drawing gives way to the list');
    const flow = page.locator('[data-testid=flow-list] li');
    assert.ok(await flow.count() >= 3);
    assert.ok(await flow.first().isVisible());
    // The materials table reads as cards: each cell on its own line with its heading.
    const cell = page.locator('[data-testid=materials] tbody tr').first().locator('td').nth(1);
    assert.equal(await cell.evaluate((e) => getComputedStyle(e).display), 'block');
    assert.equal(await cell.getAttribute('data-label'), '材料名称');
    await screenshot(page, 'citizen-guide-phone');

    await signIn(page, 'user02'); // the demo decided a case of hers
    await page.goto('/items/QR00701002/apply'); // 转移登记: for people and companies
    await assertPhoneLayout(page, 'apply');
    await screenshot(page, 'citizen-apply-phone');

    await page.goto('/me');
    await assertPhoneLayout(page, 'my page');
    const first = page.locator('[data-testid=my-cases] tbody a').first();
    const number = (await first.innerText()).trim();
    await submit(page, first);
    assert.match(pathOf(page), /^\/cases\//);
    await assertPhoneLayout(page, 'case');
    for (const t of ['materials', 'steps', 'timeline']) {
      const row = page.locator(`[data-testid=${t}] tbody tr`).first();
      assert.equal(await row.evaluate((e) => getComputedStyle(e).display), 'block', `${t} rows are cards`);
    }
    await screenshot(page, 'citizen-case-phone');
    await signOut(page);

    await page.goto('/track');
    await page.fill('input[name=number]', number);
    await page.fill('input[name=tail]', '0002'); // user02's phone: 13936120002
    await submit(page, page.locator('form[action="/track"] button'));
    assert.ok(await page.locator('[data-testid=tracked]').isVisible());
    await assertPhoneLayout(page, 'track');
    await screenshot(page, 'citizen-track-phone');
    assertNoServerErrors(page);
  } finally {
    await closePage(page);
  }
});

test('长辈版 on a phone: big targets, less on each screen, the next action first', async () => {
  const page = await newPage(browser, PHONE);
  try {
    await page.goto('/prefs/text?size=large');
    await page.goto('/');
    assert.equal(await page.evaluate(() => document.documentElement.className), 'large');
    await assertPhoneLayout(page, 'large home');
    await assertBigTargets(page, 'large home');
    assert.equal(await page.locator('[data-testid=themes]').isVisible(), false, 'the theme list is left out');
    assert.equal(await page.locator('footer.foot').isVisible(), false);
    // Fewer items on a screen: the life events are folded, one big line each, opened by a tap.
    const events = page.locator('[data-testid=person-events] details.event > summary');
    assert.ok(await events.count() >= 5);
    assert.equal(await page.locator('[data-testid=person-events] .topic-links a:visible').count(), 0);
    for (const box of await events.evaluateAll((es) => es.map((e) => e.getBoundingClientRect().height))) {
      assert.ok(box >= 48, `an event line is ${box} px tall`);
    }
    await events.first().click();
    assert.ok(await page.locator('[data-testid=person-events] .topic-links a:visible').count() >= 1);
    await assertBigTargets(page, 'large home, an event open');
    await screenshot(page, 'citizen-large-home-phone');

    await page.goto(`/items/${FORM_ITEM}`);
    await assertPhoneLayout(page, 'large guide');
    await assertBigTargets(page, 'large guide');
    // The next action (在线申请) on the first screen; codes and crumbs left out.
    const apply = await page.locator('[data-testid=apply]').boundingBox();
    assert.ok(apply && apply.y + apply.height <= PHONE.height, 'the apply button is on the first screen');
    assert.equal(await page.locator('.crumbs').isVisible(), false);
    assert.equal(await page.locator('.facts dd.code').first().isVisible(), false);
    await screenshot(page, 'citizen-large-guide-phone');

    await signIn(page, 'user02');
    await page.goto('/me');
    const first = page.locator('[data-testid=my-cases] tbody a').first();
    await submit(page, first);
    await assertPhoneLayout(page, 'large case');
    await assertBigTargets(page, 'large case');
    const next = await page.locator('[data-testid=next-action]').boundingBox();
    assert.ok(next && next.y < PHONE.height / 2, `the next action is near the top (${next && next.y})`);
    // What the person can do (here: rate the service) comes before the case's particulars.
    const act = page.locator('#rating, [data-testid=actions]').first();
    assert.equal(await act.count(), 1, 'the decided case asks for a rating');
    const actBox = await act.boundingBox();
    const factsBox = await page.locator('[data-testid=facts]').boundingBox();
    assert.ok(actBox.y < factsBox.y, 'the action before the facts');
    await screenshot(page, 'citizen-large-case-phone');
    assertNoServerErrors(page);
  } finally {
    await closePage(page);
  }
});

test('home: life events link to real guides, and the hot searches are what people searched', async () => {
  const page = await newPage(browser, DESKTOP);
  try {
    // A query shows once three people searched it; one with a phone number never does.
    for (const q of ['营业执照', '营业执照', '营业执照', '营业执照', '生孩子', '生孩子', '生孩子', '退休', '退休', '退休',
      '营业执照 13800138000', '营业执照 13800138000', '营业执照 13800138000']) {
      await page.goto(`/items?q=${encodeURIComponent(q)}`);
    }
    await page.goto('/');
    const hot = await page.locator('[data-testid=hot-searches] a').allInnerTexts();
    for (const q of ['营业执照', '生孩子', '退休']) assert.ok(hot.includes(q), `${q} in ${hot}`);
    assert.ok(!hot.some((q) => /\d{4}/.test(q)), `no phone number in ${hot}`);
    const person = page.locator('[data-testid=person-events]');
    for (const e of ['生育', '入学', '就业', '退休']) assert.match(await person.innerText(), new RegExp(e));
    assert.match(await page.locator('[data-testid=company-events]').innerText(), /开办企业/);
    assert.equal(await person.locator('h2 a').getAttribute('href'), '/items?serves=person');
    // Every event link opens a real guide.
    const hrefs = await page.locator('[data-testid=portal] .topic-links a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    assert.ok(hrefs.length >= 20, `${hrefs.length} links`);
    for (const href of new Set(hrefs)) {
      const r = await page.request.get(href);
      assert.equal(r.status(), 200, href);
    }
    await screenshot(page, 'citizen-home-desktop');
    assertNoServerErrors(page);
  } finally {
    await closePage(page);
  }
});

test('signing in with an SMS code, once; a forgotten password reset by code; who sees 在线申请', async () => {
  const page = await newPage(browser, PHONE);
  try {
    await page.goto('/login');
    await submit(page, page.locator('[data-testid=sms-login]'));
    await page.fill('input[name=phone]', '139 3612 0005');
    await submit(page, page.locator('[data-testid=sms-send] button'));
    assert.ok(!page.url().includes('13936120005'), 'the phone number stays out of the address');
    assert.equal((await page.locator('[data-testid=sent-to]').innerText()).trim(), '139****0005');
    const code = codeIn(lastSms('13936120005'));
    const codePage = page.url();
    // A wrong code first: refused, the ticket still usable.
    await page.fill('input[name=code]', code === '000000' ? '111111' : '000000');
    await submit(page, page.locator('[data-testid=sms-code] button'));
    assert.match(await page.locator('[data-testid=error]').innerText(), /验证码不正确/);
    await page.fill('input[name=code]', code);
    await submit(page, page.locator('[data-testid=sms-code] button'));
    assert.equal(pathOf(page), '/me');
    await screenshot(page, 'citizen-sms-signed-in-phone');
    await signOut(page);
    // The same code again: used.
    await page.goto(codePage);
    assert.match(await page.locator('[data-testid=error]').innerText(), /失效/);

    // Forgotten password: a code to the registered phone, then a new password.
    await page.goto('/password/forgot');
    await page.fill('input[name=phone]', '13936120006');
    await submit(page, page.locator('[data-testid=forgot-send] button'));
    const reset = codeIn(lastSms('13936120006'));
    await page.fill('input[name=code]', reset);
    await page.fill('input[name=new]', 'Qingjiang#2027');
    await submit(page, page.locator('[data-testid=forgot-reset] button'));
    assert.equal(pathOf(page), '/login');
    await screenshot(page, 'citizen-password-reset-phone');
    await signIn(page, 'user06', 'Qingjiang#2027');
    assert.equal(pathOf(page), '/me');
    await signOut(page);

    // 在线申请 for applicants (and visitors, who are asked to sign in); 窗口受理 for clerks.
    await page.goto(`/items/${FORM_ITEM}`);
    assert.equal(await page.locator('[data-testid=apply]').count(), 1);
    await signIn(page, 'scjg.clerk');
    await page.goto(`/items/${FORM_ITEM}`);
    assert.equal(await page.locator('[data-testid=apply]').count(), 0);
    assert.equal(await page.locator('[data-testid=intake]').count(), 1);
    await signOut(page);
    await signIn(page, 'jiancha');
    await page.goto(`/items/${FORM_ITEM}`);
    assert.equal(await page.locator('[data-testid=apply]').count(), 0);
    assert.equal(await page.locator('[data-testid=intake]').count(), 0);
    assertNoServerErrors(page);
  } finally {
    await closePage(page);
  }
});

test('blank forms download as PDF and as xlsx', async () => {
  const page = await newPage(browser, DESKTOP);
  try {
    await page.goto(`/items/${FORM_ITEM}`);
    for (const [id, ext, magic] of [['blank-pdf', '.pdf', '%PDF-'], ['blank-xlsx', '.xlsx', 'PK']]) {
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.locator(`[data-testid=${id}]`).first().click(),
      ]);
      assert.ok(download.suggestedFilename().endsWith(ext), download.suggestedFilename());
      assert.match(download.suggestedFilename(), /空表/);
      const file = await download.path();
      const head = execFileSync('head', ['-c', '5', file]).toString('latin1');
      assert.ok(head.startsWith(magic), `${id}: ${head}`);
    }
    assertNoServerErrors(page);
  } finally {
    await closePage(page);
  }
});

test('the README tour: what a resident, a window clerk and a supervisor see first', async () => {
  const phone = await newPage(browser, PHONE);
  const desk = await newPage(browser, DESKTOP);
  try {
    await signIn(phone, 'user01');
    await phone.goto('/');
    await screenshot(phone, 'tour-resident-home', { fullPage: false });
    await phone.goto(`/items/${FORM_ITEM}`);
    await screenshot(phone, 'tour-resident-guide', { fullPage: false });
    await signOut(phone);
    await signIn(phone, 'scjg.clerk');
    assert.equal(pathOf(phone), '/workbench');
    await assertPhoneLayout(phone, 'clerk workbench');
    // The clerk starts window intake from the same guide the public reads.
    await phone.goto(`/items/${FORM_ITEM}`);
    await submit(phone, phone.locator('[data-testid=intake]'));
    assert.equal(pathOf(phone), '/cases/new');
    await assertPhoneLayout(phone, 'window intake');
    await screenshot(phone, 'tour-clerk-intake', { fullPage: false });
    await signIn(desk, 'jiancha');
    await desk.goto('/supervision');
    await screenshot(desk, 'tour-supervisor-board', { fullPage: false });
    assertNoServerErrors(phone);
    assertNoServerErrors(desk);
  } finally {
    await closePage(phone);
    await closePage(desk);
  }
});
