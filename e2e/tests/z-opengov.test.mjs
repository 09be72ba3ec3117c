// Runs after z-disclosure (file name): it moves the shared simulated clock 40 days, past the
// consultation's 30-day period.
// A consultation (公开征求意见) in the browser: 住建局 publishes a draft; a citizen without an
// account comments on a paragraph on a phone, a signed-in resident comments on the whole in
// large text; the unit moderates; the period ends; a late comment is refused; a report leaving
// a comment unanswered is refused with its code; the unit answers every comment (two of them
// together) and publishes them at once; the public reads the answers and the adoption rate and
// downloads the comments.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launchBrowser, closeBrowser, newPage, closePage, signIn, pathOf, texts,
  screenshot, assertNoServerErrors, PHONE, BASE_URL,
} from './lib.mjs';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await closeBrowser(browser);
});

async function submit(page, button) {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), button.click()]);
}

async function act(page, testid, fill = async () => {}, button = 'button[type=submit]') {
  const form = page.locator(`form[data-testid=${testid}]`);
  await fill(form);
  await submit(page, form.locator(button).first());
  const error = page.locator('p.error');
  if (await error.count()) {
    assert.fail(`${testid}: ${await error.innerText()}`);
  }
}

test('a citizen comments, the unit answers every comment, the report is published', async () => {
  const clerk = await newPage(browser);
  const citizen = await newPage(browser, PHONE);
  const resident = await newPage(browser, PHONE);
  const admin = await newPage(browser);
  try {
    await signIn(clerk, 'zjj.clerk');
    await clerk.goto('/opengov/consultations');
    // Shorter than the minimum: refused with its code.
    const form = clerk.locator('form[data-testid=publish-form]');
    await form.locator('input[name=title]').fill('清江市城市绿化管理办法（征求意见稿）');
    await form.locator('textarea[name=explanation]').fill('为加强城市绿化管理，起草本办法。');
    await form.locator('textarea[name=draft]').fill('第一条 为了加强城市绿化管理，制定本办法。\n第二条 新建住宅小区绿地率不得低于百分之三十。\n第三条 禁止擅自砍伐城市树木。');
    await form.locator('input[name=period_days]').fill('10');
    await submit(clerk, form.locator('button[type=submit]'));
    assert.equal(await clerk.locator('p.error').getAttribute('data-code'), 'opengov.period_short');
    await act(clerk, 'publish-form', async (f) => {
      await f.locator('input[name=title]').fill('清江市城市绿化管理办法（征求意见稿）');
      await f.locator('textarea[name=explanation]').fill('为加强城市绿化管理，起草本办法。');
      await f.locator('textarea[name=draft]').fill('第一条 为了加强城市绿化管理，制定本办法。\n第二条 新建住宅小区绿地率不得低于百分之三十。\n第三条 禁止擅自砍伐城市树木。');
      await f.locator('input[name=period_days]').fill('30');
    });
    assert.match(pathOf(clerk), /^\/opengov\/consultations\/ZQ\d{8}$/);
    const path = pathOf(clerk);

    // A citizen without an account, on a phone, on paragraph 2.
    await citizen.goto(path);
    assert.equal(await citizen.locator('[data-testid=draft] li').count(), 3);
    await act(citizen, 'comment-form', async (f) => {
      await f.locator('select[name=paragraph]').selectOption('2');
      await f.locator('textarea[name=text]').fill('绿地率建议提高到百分之三十五。');
      await f.locator('input[name=contact]').fill('13800138071');
    });
    await screenshot(citizen, 'opengov-comment-phone');

    // A signed-in resident, in large text, on the whole draft.
    await signIn(resident, 'user02');
    await resident.goto('/prefs/text?size=large');
    await resident.goto(path);
    await act(resident, 'comment-form', async (f) => {
      await f.locator('textarea[name=text]').fill('绿地率应当提高，并规定绿地不得改作停车位。');
    });
    const overflow = await resident.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `no sideways scrolling on a phone in large text (${overflow}px)`);
    // Nothing public before moderation.
    assert.equal(await resident.locator('[data-testid=comments] li').count(), 0);

    // The unit moderates both.
    await clerk.goto(path);
    await act(clerk, 'moderate-1', async () => {}, 'button[value=publish]');
    await act(clerk, 'moderate-2', async () => {}, 'button[value=publish]');
    await citizen.goto(path);
    assert.equal(await citizen.locator('[data-testid=comments] li').count(), 2);

    // The period ends.
    await signIn(admin, 'admin');
    await admin.goto('/admin/clock');
    await admin.fill('input[name=days]', '40');
    await submit(admin, admin.locator('form[action="/admin/clock"] button[type=submit]'));
    await citizen.goto(path);
    assert.equal(await citizen.locator('form[data-testid=comment-form]').count(), 0);
    const number = path.split('/').pop();
    const late = await fetch(`${BASE_URL}/api/v1/opengov/consultations/${number}/comments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: '晚到的意见' }),
    });
    assert.equal(late.status, 409);
    assert.equal((await late.json()).code, 'opengov.comment_closed');

    // A report leaving comment 2 unanswered: refused with its code. (Forty days on, the
    // clerk's session has ended: sign in again.)
    await signIn(clerk, 'zjj.clerk');
    await clerk.goto(path);
    const report = clerk.locator('form[data-testid=report-form]');
    await report.locator('select[name=a_1]').selectOption('partly');
    await report.locator('input[name=r_1]').fill('绿地率提高到百分之三十三。');
    await report.locator('textarea[name=summary]').fill('共收到意见2条，逐条答复如下。');
    await submit(clerk, report.locator('button[type=submit]'));
    assert.equal(await clerk.locator('p.error').getAttribute('data-code'), 'opengov.unanswered');
    // Comment 2 answered together with comment 1.
    await act(clerk, 'report-form', async (f) => {
      await f.locator('select[name=a_1]').selectOption('partly');
      await f.locator('input[name=r_1]').fill('绿地率提高到百分之三十三。');
      await f.locator('input[name=g_2]').fill('1');
      await f.locator('textarea[name=summary]').fill('共收到意见2条，逐条答复如下。');
    });
    assert.equal((await clerk.locator('[data-testid=status]').innerText()).trim(), '已公布采纳情况');

    // The public reads the answers and the adoption rate, and downloads the comments.
    await citizen.goto(path);
    assert.match(await citizen.locator('[data-testid=report]').innerText(), /部分采纳/);
    assert.equal((await citizen.locator('[data-testid=adoption-rate]').innerText()).trim(), '100%');
    const answers = await texts(citizen, '[data-testid=comments] .answer');
    assert.equal(answers.length, 2, answers.join('|'));
    const csv = await fetch(`${BASE_URL}${path}/comments.csv`);
    assert.equal(csv.status, 200);
    const body = await csv.text();
    assert.ok(body.includes('绿地率建议提高到百分之三十五'), body);
    assert.ok(body.includes('部分采纳'), body);
    await screenshot(citizen, 'opengov-report-phone');
    for (const p of [clerk, citizen, resident, admin]) assertNoServerErrors(p);
  } finally {
    await closePage(clerk);
    await closePage(citizen);
    await closePage(resident);
    await closePage(admin);
  }
});
