// Open government's public pages in the browser: a citizen on a phone in large text finds a
// running 行政许可 result notice by its area and objects; the unit answers; the citizen reads
// the answer. The citizen registers to attend the demo's coming meeting and reads a minuted
// meeting's minutes; the commitments and this week's visiting schedule are public. Does not
// move the clock.
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

test('a citizen objects to a publicity notice and reads the answer; meetings, commitments, visits', async () => {
  const citizen = await newPage(browser, PHONE);
  const unit = await newPage(browser);
  try {
    await citizen.goto('/prefs/text?size=large');
    await citizen.goto('/opengov');
    await submit(citizen, citizen.locator('a[href="/opengov/notices"]').first());
    assert.ok((await texts(citizen, '[data-testid=minimums] li')).length === 8);
    await submit(citizen, citizen.locator('a[href="/opengov/notices?area=licensing"]'));
    const rows = citizen.locator('[data-testid=notice-list] tbody tr', { hasText: '公示中' });
    assert.ok((await rows.count()) >= 1, 'a running licensing notice');
    await submit(citizen, rows.first().locator('a'));
    assert.match(pathOf(citizen), /^\/opengov\/notices\/GS\d{8}$/);
    const path = pathOf(citizen);
    assert.equal((await citizen.locator('[data-testid=notice-status]').innerText()).trim(), '公示中');
    await noSidewaysScroll(citizen, 'notice');
    const form = citizen.locator('form[data-testid=objection-form]');
    await form.locator('textarea[name=text]').fill('许可公示的经营地址与门店实际地址不一致。');
    await form.locator('input[name=name]').fill('赵敏');
    await form.locator('input[name=contact]').fill('13500009999');
    await act(form);
    const objections = await texts(citizen, '[data-testid=objections] > li');
    assert.ok(objections.some((t) => t.includes('经营地址') && t.includes('赵*') && t.includes('待答复')), objections.join('|'));
    await screenshot(citizen, 'opengov-notice-phone');

    // The unit answers the objection within its deadline.
    await signIn(unit, 'zjj.clerk');
    await unit.goto(path);
    const item = unit.locator('[data-testid=objections] > li', { hasText: '经营地址' });
    await item.locator('textarea[name=reply]').fill('经核查，门店已办理地址变更，许可信息已更正。');
    await act(item.locator('form'));

    await citizen.goto(path);
    const answered = await texts(citizen, '[data-testid=objections] > li');
    assert.ok(answered.some((t) => t.includes('经营地址') && t.includes('已办理地址变更')), answered.join('|'));

    // Register to attend the coming meeting; read a minuted one.
    await citizen.goto('/opengov/meetings');
    await submit(citizen, citizen.locator('[data-testid=meeting-list] a', { hasText: '第12次常务会议' }));
    const seats = await citizen.locator('[data-testid=seats]').innerText();
    const attend = citizen.locator('form[data-testid=attend-form]');
    await attend.locator('input[name=name]').fill('赵敏');
    await attend.locator('input[name=phone]').fill('13500009999');
    await act(attend);
    const after = await citizen.locator('[data-testid=seats]').innerText();
    assert.notEqual(after, seats);
    assert.match(after, /已报名\d+人/);
    await noSidewaysScroll(citizen, 'meeting');
    await citizen.goto('/opengov/meetings');
    await submit(citizen, citizen.locator('[data-testid=meeting-list] a', { hasText: '公开述职' }));
    assert.match(await citizen.locator('[data-testid=minutes]').innerText(), /述职/);

    // Commitments and the visiting schedule.
    await citizen.goto('/opengov/commitments');
    const kept = await texts(citizen, '[data-testid=commitments] > li');
    assert.ok(kept.some((t) => t.includes('施工许可') && t.includes('已兑现')), kept.join('|'));
    assert.ok(kept.some((t) => t.includes('未兑现')), kept.join('|'));
    await noSidewaysScroll(citizen, 'commitments');
    await citizen.goto('/opengov/visits');
    assert.ok((await texts(citizen, '[data-testid=visits] tbody tr')).length >= 1);
    await noSidewaysScroll(citizen, 'visits');
    await screenshot(citizen, 'opengov-visits-phone');
    for (const p of [citizen, unit]) assertNoServerErrors(p);
  } finally {
    await closePage(citizen);
    await closePage(unit);
  }
});
