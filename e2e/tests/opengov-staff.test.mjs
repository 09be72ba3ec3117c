// Open government from the unit's side, with the public beside it: the unit announces a
// 公开述职, a citizen on a phone in large text asks it a question, the unit answers and the
// citizen reads the answer; the unit publishes a commitment covering its cases; the 行政许可
// results are public from the decided cases; the hall display turns its screens and the kiosk
// goes home by the browser's own refresh, with touch-sized targets. Does not move the clock.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launchBrowser, closeBrowser, newPage, closePage, signIn, pathOf, texts,
  screenshot, assertNoServerErrors, PHONE,
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

async function act(form) {
  const page = form.page();
  await submit(page, form.locator('button[type=submit]').first());
  const error = page.locator('p.error');
  if (await error.count()) {
    assert.fail(`${await error.innerText()}`);
  }
}

async function noSidewaysScroll(page, what) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `${what}: no sideways scrolling on a phone in large text (${overflow}px)`);
}

async function refreshOf(page) {
  return page.locator('meta[http-equiv=refresh]').getAttribute('content');
}

test('the unit runs a 公开述职 with questions from the public, a commitment, and the hall screens', async () => {
  const unit = await newPage(browser);
  const citizen = await newPage(browser, PHONE);
  try {
    // The server's day, from the hall display.
    await citizen.goto('/opengov/hall');
    const head = await citizen.locator('.og-hall-head p').innerText();
    const today = head.match(/\d{4}-\d{2}-\d{2}/)[0];
    const day = new Date(`${today}T00:00:00Z`);
    day.setUTCDate(day.getUTCDate() + 10);
    const startsAt = `${day.toISOString().slice(0, 10)}T14:30`;

    // The unit announces a 公开述职.
    await signIn(unit, 'zjj.clerk');
    await unit.goto('/opengov/meetings');
    const announce = unit.locator('form[data-testid=meeting-form]');
    await announce.locator('select[name=kind]').selectOption('report');
    await announce.locator('input[name=title]').fill('市住建局局长2026年度公开述职');
    await announce.locator('textarea[name=agenda]').fill('局长述职\n回答群众提问');
    await announce.locator('input[name=place]').fill('市民服务中心报告厅');
    await announce.locator('input[name=starts_at]').fill(startsAt);
    await act(announce);
    assert.match(pathOf(unit), /^\/opengov\/meetings\/HY\d{8}$/);
    const path = pathOf(unit);

    // A citizen asks a question, on a phone in large text.
    await citizen.goto('/prefs/text?size=large');
    await citizen.goto(path);
    const ask = citizen.locator('form[data-testid=ask-form]');
    await ask.locator('textarea[name=text]').fill('老旧小区加装电梯的补贴什么时候发放？');
    await ask.locator('input[name=name]').fill('钱多多');
    await ask.locator('input[name=contact]').fill('13600006666');
    await act(ask);
    let questions = await texts(citizen, '[data-testid=question]');
    assert.ok(questions.some((t) => t.includes('加装电梯') && t.includes('钱*') && t.includes('待答复')), questions.join('|'));
    assert.ok(!questions.some((t) => t.includes('13600006666')), 'the contact is never shown');
    await noSidewaysScroll(citizen, 'meeting with questions');
    await screenshot(citizen, 'opengov-questions-phone');

    // The unit answers it; the citizen reads the answer.
    await unit.goto(path);
    const item = unit.locator('[data-testid=question]', { hasText: '加装电梯' });
    await item.locator('textarea[name=reply]').fill('补贴将于12月底前发放到位。');
    await act(item.locator('form[data-testid=answer-form]'));
    await citizen.goto(path);
    questions = await texts(citizen, '[data-testid=question]');
    assert.ok(questions.some((t) => t.includes('加装电梯') && t.includes('12月底前')), questions.join('|'));

    // A commitment covering the unit's cases.
    await unit.goto('/opengov/commitments');
    const commit = unit.locator('form[data-testid=commitment-form]');
    await commit.locator('input[name=title]').fill('建设工程竣工验收备案');
    await commit.locator('input[name=time_limit]').fill('5个工作日内办结');
    await commit.locator('textarea[name=standard]').fill('一次告知，限时办结');
    await commit.locator('select[name=covers]').selectOption('cases');
    await act(commit);
    await citizen.goto('/opengov/commitments');
    const commitments = await texts(citizen, '[data-testid=commitments] > li');
    assert.ok(commitments.some((t) => t.includes('竣工验收备案') && t.includes('办件按承诺时限办结') && t.includes('履行中')), commitments.join('|'));
    await noSidewaysScroll(citizen, 'commitments');

    // 行政许可结果公示, straight from the demo's decided cases.
    await citizen.goto('/opengov/licensing');
    const licences = await texts(citizen, '[data-testid=licensing] tbody tr');
    assert.ok(licences.length >= 1, 'the demo has granted licences');
    assert.ok(licences.some((t) => t.includes('企业设立登记')), licences.join('|'));
    assert.ok(!licences.some((t) => /\d{17}[\dX]/.test(t)), 'no ID number');
    await noSidewaysScroll(citizen, 'licensing');

    // The hall display turns to its next screen by the browser's own refresh, without script.
    await citizen.goto('/opengov/hall?screen=meetings');
    assert.equal((await citizen.locator('[data-testid=hall-heading]').innerText()).trim(), '公开会议');
    assert.match(await refreshOf(citizen), /^\d+;url=\/opengov\/hall\?screen=commitments$/);
    assert.ok((await texts(citizen, '[data-testid=hall-list] li')).some((t) => t.includes('公开述职')));
    assert.equal(await citizen.locator('script').count(), 0, 'the display runs without script');
    await noSidewaysScroll(citizen, 'hall display');
    await screenshot(citizen, 'opengov-hall-phone');

    // The kiosk: big targets at home; a list goes back home when nobody touches it.
    await citizen.goto('/opengov/kiosk');
    const targets = citizen.locator('[data-testid=kiosk-menu] a');
    assert.equal(await targets.count(), 5);
    for (const box of await Promise.all((await targets.all()).map((t) => t.boundingBox()))) {
      assert.ok(box.height >= 64, `a touch target is ${box.height}px high`);
    }
    assert.equal(await citizen.locator('meta[http-equiv=refresh]').count(), 0, 'home stays');
    await submit(citizen, targets.filter({ hasText: '本周领导接访' }));
    assert.match(await refreshOf(citizen), /^\d+;url=\/opengov\/kiosk$/);
    await noSidewaysScroll(citizen, 'kiosk');
    await submit(citizen, citizen.locator('[data-testid=kiosk-home]'));
    assert.equal(pathOf(citizen), '/opengov/kiosk');
    for (const p of [citizen, unit]) assertNoServerErrors(p);
  } finally {
    await closePage(citizen);
    await closePage(unit);
  }
});
