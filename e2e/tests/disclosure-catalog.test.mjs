// The proactive-disclosure catalog (主动公开目录) in the browser, on a phone: the city's
// disclosure clerk registers a 规范性文件 formed today and publishes it at once, and registers a
// second one pending (its 第二十六条 due day shown, not public); a visitor who is not signed in
// finds the published one by searching and reads it, and cannot open the pending one; the 政府公报
// lists its issues; and every figure of table 二 of the 2025 report leads to exactly that many
// entries. The clock is not moved.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launchBrowser, closeBrowser, newPage, closePage, signIn, screenshot, assertNoServerErrors,
  PHONE, BASE_URL,
} from './lib.mjs';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await closeBrowser(browser);
});

async function register(page, title, publish) {
  await page.goto('/disclosure/catalog');
  const form = page.locator('[data-testid=catalog-form]');
  await form.locator('select[name=heading]').selectOption('normative');
  await form.locator('input[name=title]').fill(title);
  await form.locator('input[name=doc_number]').fill('清府规〔2026〕99号');
  const today = await form.locator('input[name=formed_on]').getAttribute('max');
  await form.locator('input[name=formed_on]').fill(today);
  await form.locator('textarea[name=body]').fill('为规范本市公共服务，现通知如下。');
  if (publish) await form.locator('input[name=publish]').check();
  await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    form.locator('button[type=submit]').click(),
  ]);
  assert.match(new URL(page.url()).pathname, /^\/disclosure\/catalog\/\d{6}-\d{4}-\d{5}$/);
  return (await page.locator('[data-testid=entry-index]').innerText()).trim();
}

test('a clerk publishes to the catalog; the public finds it; table 二 drills down', async () => {
  const clerk = await newPage(browser, PHONE);
  const visitor = await newPage(browser, PHONE);
  const head = await newPage(browser);
  try {
    await signIn(clerk, 'gkb.clerk');
    const stamp = Date.now().toString(36);
    const title = `关于规范城市公共服务的通知${stamp}`;
    const published = await register(clerk, title, true);
    assert.equal(await clerk.locator('[data-testid=entry-status]').getAttribute('data-status'), 'published');
    const pending = await register(clerk, `关于待公开事项的通知${stamp}`, false);
    assert.equal(await clerk.locator('[data-testid=entry-status]').getAttribute('data-status'), 'pending');
    assert.match(await clerk.locator('.catalog-facts').innerText(), /第二十六条/);
    assert.equal(await clerk.locator('[data-testid=entry-publish]').count(), 1);
    await screenshot(clerk, 'disclosure-catalog-entry-phone.png');

    // A visitor searches the catalog and reads the published entry; the pending one is not public.
    await visitor.goto(`/disclosure/catalog?q=${encodeURIComponent(title)}`);
    const hit = visitor.locator('[data-testid=catalog-entries] a', { hasText: title });
    assert.equal(await hit.count(), 1, 'the search finds it');
    await Promise.all([visitor.waitForNavigation({ waitUntil: 'load' }), hit.click()]);
    assert.equal((await visitor.locator('[data-testid=entry-index]').innerText()).trim(), published);
    const r = await visitor.request.get(`${BASE_URL}/disclosure/catalog/${pending}`);
    assert.equal(r.status(), 404);
    const width = await visitor.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `no sideways scrolling on a phone (${width})`);
    await visitor.goto('/disclosure/catalog?key=1');
    assert.ok(await visitor.locator('[data-testid=catalog-entries] li').count() > 0, '重点领域');
    await visitor.goto('/disclosure/gazettes');
    assert.ok(await visitor.locator('[data-testid=gazettes] li').count() > 0, '政府公报');
    await screenshot(visitor, 'disclosure-gazettes-phone.png');

    // Table 二 of the 2025 report: every figure is a count of the entries behind it.
    await signIn(head, 'gkb.head');
    await head.goto('/disclosure/report?year=2025');
    const links = await head.locator('[data-testid=report-proactive] td a')
      .evaluateAll((as) => as.map((a) => ({ n: Number(a.textContent.trim()), href: a.getAttribute('href') })));
    assert.ok(links.length >= 3, `${links.length} linked figures in table 二`);
    for (const { n, href } of links) {
      await head.goto(href);
      const items = await head.locator('[data-testid=drill-entries] li').count();
      if (href.includes('figure=amount')) {
        assert.ok(items > 0, href);
      } else {
        assert.equal(items, n, href);
      }
    }
    assertNoServerErrors(clerk);
    assertNoServerErrors(visitor);
    assertNoServerErrors(head);
  } finally {
    await closePage(clerk);
    await closePage(visitor);
    await closePage(head);
  }
});
