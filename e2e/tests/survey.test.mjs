// Journey of a 社会评议 round (issue 20): the centre's supervisor opens a round of two key posts
// for two representatives and is shown their one-time links once; the first representative
// answers on a phone in 长辈版 large text (every post on the four topics; an incomplete answer
// is shown again); a second use of the link is refused in plain Chinese; the supervisor sees the
// progress, adds nothing, publishes; the results are public and listed on the public page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launchBrowser, closeBrowser, newPage, closePage, signIn, pathOf,
  screenshot, assertNoServerErrors, PHONE,
} from './lib.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await closeBrowser(browser); });

async function submit(page, button) {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), button.click()]);
}

test('a 社会评议 round is opened, answered once by link on a phone, and published', async () => {
  const sup = await newPage(browser);
  const rep = await newPage(browser, PHONE);
  const anon = await newPage(browser, PHONE);
  try {
    await signIn(sup, 'jiancha');
    await sup.goto('/performance');
    await submit(sup, sup.locator('[data-testid=surveys-link]'));
    assert.equal(pathOf(sup), '/performance/surveys');

    // A round of two posts and two representatives.
    const form = sup.locator('form[data-action=open-survey]');
    await form.locator('input[name=name]').fill('重点岗位社会评议（浏览器）');
    const options = await form.locator('select[name=dept_0] option').evaluateAll(
      (os) => os.map((o) => o.value).filter((v) => v));
    assert.ok(options.length >= 2, 'the region has departments to choose');
    await form.locator('select[name=dept_0]').selectOption(options[0]);
    await form.locator('input[name=post_0]').fill('审批科科长');
    await form.locator('select[name=dept_1]').selectOption(options[1]);
    await form.locator('input[name=post_1]').fill('执法科科长');
    await form.locator('textarea[name=enterprises]').fill('清江建材有限公司');
    await form.locator('textarea[name=townships]').fill('北山镇代表');
    await submit(sup, form.locator('button[type=submit]'));
    const links = await sup.locator('[data-testid=survey-links] a.survey-link').evaluateAll(
      (as) => as.map((a) => a.getAttribute('href')));
    assert.equal(links.length, 2, 'a link per representative, shown once');
    assert.match(links[0], /^\/survey\/[0-9a-f]{48}$/);
    const roundUrl = await sup.locator('a.button[href^="/performance/surveys/"]').getAttribute('href');

    // The representative opens their link on a phone, in large text.
    await rep.goto(links[0]);
    // 大字模式 sits behind 菜单 on a phone: followed as its link.
    await Promise.all([
      rep.waitForNavigation({ waitUntil: 'load' }),
      rep.locator('a.size').first().evaluate((a) => a.click()),
    ]);
    assert.equal(pathOf(rep), links[0], 'large text keeps the page');
    assert.equal(await rep.locator('html.large').count(), 1);
    assert.match(await rep.locator('[data-testid=survey-rep]').innerText(), /清江建材有限公司/);
    assert.equal(await rep.locator('fieldset.survey-post').count(), 2);
    const width = await rep.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= PHONE.width, `no sideways scrolling on a phone (${width}px)`);
    // One topic left out: the form comes back with the choices kept and the rule said.
    const radios = rep.locator('fieldset.survey-post input[type=radio][value=satisfied]');
    const n = await radios.count();
    assert.equal(n, 8, 'two posts × four topics');
    for (let i = 0; i < n - 1; i++) await radios.nth(i).check();
    await submit(rep, rep.locator('button.survey-submit'));
    assert.match(await rep.locator('[role=alert]').innerText(), /每个岗位的每一项/);
    assert.equal(await rep.locator('input[type=radio]:checked').count(), 7, 'choices kept');
    await rep.locator('fieldset.survey-post[data-post="1"] input[name="a_1_projects"][value=unsatisfied]').check();
    await screenshot(rep, 'survey-phone-large.png');
    await submit(rep, rep.locator('button.survey-submit'));
    assert.match(await rep.locator('[data-testid=survey-done]').innerText(), /感谢您参加社会评议/);

    // The same link again: refused in plain Chinese, with a 4xx.
    const again = await anon.goto(links[0]);
    assert.equal(again.status(), 409);
    assert.match(await anon.locator('[role=alert]').innerText(), /该评议链接已使用/);
    const unknown = await anon.goto('/survey/not-a-link');
    assert.equal(unknown.status(), 404);
    assert.match(await anon.locator('[role=alert]').innerText(), /评议链接无效/);
    // Before publication nobody outside sees the results.
    const hidden = await anon.goto(roundUrl);
    assert.equal(hidden.status(), 404);

    // The supervisor sees who has answered, then publishes.
    await sup.goto(roundUrl);
    assert.match(await sup.locator('[data-testid=turnout]').innerText(), /1\/2/);
    const progress = await sup.locator('[data-testid=survey-progress] tbody tr').allInnerTexts();
    assert.ok(progress.some((r) => /清江建材有限公司/.test(r) && !/未提交/.test(r)));
    assert.ok(progress.some((r) => /北山镇代表/.test(r) && /未提交/.test(r)));
    await submit(sup, sup.locator('form[data-action=publish-survey] button[type=submit]'));
    assert.match(await sup.locator('[data-testid=survey-status]').innerText(), /已公布/);

    // Public: listed on the public scores page, results by post and topic; the unused link is closed.
    await anon.goto('/performance/public');
    await submit(anon, anon.locator(`[data-testid=public-surveys] a[href="${roundUrl}"]`));
    assert.match(await anon.locator('[data-testid=survey-name]').innerText(), /重点岗位社会评议（浏览器）/);
    const rows = await anon.locator('[data-testid=survey-results] tbody tr').allInnerTexts();
    assert.equal(rows.length, 8);
    assert.ok(rows.some((r) => /执法科科长/.test(r) && /服务建设项目/.test(r) && /0\.00/.test(r)));
    assert.ok(rows.some((r) => /审批科科长/.test(r) && /依法办事/.test(r) && /100\.00/.test(r)));
    await screenshot(anon, 'survey-results-phone.png');
    const closed = await anon.goto(links[1]);
    assert.equal(closed.status(), 409);
    assert.match(await anon.locator('[role=alert]').innerText(), /已结束/);

    for (const p of [sup, rep, anon]) assertNoServerErrors(p);
  } finally {
    await closePage(sup);
    await closePage(rep);
    await closePage(anon);
  }
});
