// Proposal handling (人大建议、政协提案办理) in the browser: the 督查室 registers a 人大代表建议
// whose proposer has an account, 交办-s it to 住建局 (主办) and 民政局 (分办); a unit not given
// it has no reply form; both units reply; the proposer records satisfaction on a phone in
// large text; the office publishes and anyone reads the replies. Seed 004's proposal is public
// with its three replies. Does not move the clock.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launchBrowser, closeBrowser, newPage, closePage, signIn, signOut, pathOf, texts,
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

async function act(page, testid, fill = async () => {}) {
  const form = page.locator(`form[data-testid=${testid}]`);
  await fill(form);
  await submit(page, form.locator('button[type=submit]').first());
  const error = page.locator('p.error');
  if (await error.count()) {
    assert.fail(`${testid}: ${await error.innerText()}`);
  }
}

test('a proposal 交办-ed to two units, both reply, the proposer records satisfaction', async () => {
  const office = await newPage(browser);
  const unit = await newPage(browser);
  const proposer = await newPage(browser, PHONE);
  const reader = await newPage(browser, PHONE);
  try {
    await signIn(office, 'gkb.clerk');
    await office.goto('/opengov/proposals');
    await act(office, 'register-form', async (f) => {
      await f.locator('select[name=kind]').selectOption('suggestion');
      await f.locator('input[name=session]').fill('市人大十六届五次会议');
      await f.locator('input[name=number]').fill('0088');
      await f.locator('input[name=title]').fill('关于老旧小区增设充电设施的建议');
      await f.locator('input[name=proposer]').fill('张代表');
      await f.locator('input[name=proposer_login]').fill('user01');
      await f.locator('textarea[name=body]').fill('建议在老旧小区增设电动自行车集中充电设施。');
    });
    assert.match(pathOf(office), /^\/opengov\/proposals\/TA\d{8}$/);
    const path = pathOf(office);
    await act(office, 'assign-form', async (f) => {
      await f.locator('select[name=unit_0]').selectOption({ label: '清江市住建局' });
      await f.locator('select[name=role_0]').selectOption('lead');
      await f.locator('select[name=unit_1]').selectOption({ label: '清江市民政局' });
      await f.locator('select[name=role_1]').selectOption('split');
      await f.locator('input[name=note]').fill('请按期答复代表');
    });
    assert.equal((await office.locator('[data-testid=status]').innerText()).trim(), '办理中');
    assert.match(await office.locator('[data-testid=due]').innerText(), /^\d{4}-\d{2}-\d{2}$/);

    // A unit not given it cannot reply.
    await signIn(unit, 'scjg.clerk');
    const other = await unit.goto(path);
    assert.equal(other.status(), 404);

    for (const [login, cls, text] of [
      ['zjj.clerk', 'b', '已列入2026年老旧小区改造计划，年内完成。'],
      ['mzj.clerk', 'a', '已协调街道在12个小区建成集中充电点。'],
    ]) {
      await unit.goto('/');
      await signOut(unit);
      await signIn(unit, login);
      await unit.goto(path);
      await act(unit, 'reply-form', async (f) => {
        await f.locator('select[name=class]').selectOption(cls);
        await f.locator('textarea[name=text]').fill(text);
      });
      assert.equal(await unit.locator('form[data-testid=reply-form]').count(), 0);
    }

    // The proposer, on a phone in large text.
    await signIn(proposer, 'user01');
    await proposer.goto('/prefs/text?size=large');
    await proposer.goto(path);
    assert.equal((await proposer.locator('[data-testid=status]').innerText()).trim(), '已答复，待征询意见');
    assert.equal(await proposer.locator('[data-testid=reply]').count(), 2);
    await act(proposer, 'feedback-form', async (f) => {
      await f.locator('select[name=satisfaction]').selectOption('satisfied');
      await f.locator('input[name=remark]').fill('办理认真');
      await f.locator('select[name=agree_publish]').selectOption('yes');
    });
    assert.match(await proposer.locator('[data-testid=satisfaction]').innerText(), /满意/);
    const overflow = await proposer.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `no sideways scrolling on a phone in large text (${overflow}px)`);
    await screenshot(proposer, 'opengov-proposal-phone');

    await office.goto(path);
    await act(office, 'publish-form');

    // Anyone reads the replies, and seed 004's proposal with its three.
    await reader.goto('/opengov/proposals');
    const titles = await texts(reader, '[data-testid=proposal-list] td:first-child');
    assert.ok(titles.some((t) => t.includes('老旧小区增设充电设施')), titles.join('|'));
    assert.ok(titles.some((t) => t.includes('改进基层作风')), titles.join('|'));
    await reader.goto(path);
    assert.equal(await reader.locator('[data-testid=reply]').count(), 2);
    await reader.goto('/opengov/proposals');
    await Promise.all([
      reader.waitForNavigation({ waitUntil: 'load' }),
      reader.locator('[data-testid=proposal-list] a', { hasText: '改进基层作风' }).click(),
    ]);
    assert.equal(await reader.locator('[data-testid=reply]').count(), 3);
    for (const p of [office, unit, proposer, reader]) assertNoServerErrors(p);
  } finally {
    await closePage(office);
    await closePage(unit);
    await closePage(proposer);
    await closePage(reader);
  }
});
