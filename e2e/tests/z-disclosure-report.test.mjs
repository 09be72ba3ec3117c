// The annual disclosure report (政府信息公开工作年度报告, 国办公开办函〔2021〕30号) in the
// browser: the office head opens the 2025 report from the workbench; every non-zero figure of
// its request table and its 复议/诉讼 table leads to a list of exactly that many requests, each
// of which opens. The year is named, so the journey does not depend on where the shared
// simulated clock stands (it does not move it).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launchBrowser, closeBrowser, newPage, closePage, signIn, screenshot, assertNoServerErrors,
  PHONE,
} from './lib.mjs';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await closeBrowser(browser);
});

test('the 2025 report: every figure equals a count of the requests behind it', async () => {
  const head = await newPage(browser);
  const phone = await newPage(browser, PHONE);
  try {
    await signIn(head, 'gkb.head');
    await head.goto('/disclosure');
    await Promise.all([
      head.waitForNavigation({ waitUntil: 'load' }),
      head.locator('[data-testid=annual-report-link]').click(),
    ]);
    assert.match(new URL(head.url()).pathname, /^\/disclosure\/report$/);
    await head.goto('/disclosure/report?year=2025');
    assert.match(await head.locator('h1').innerText(), /2025 年度政府信息公开工作年度报告/);
    const rows = head.locator('[data-testid=report-requests] tbody tr');
    assert.equal(await rows.count(), 25, 'the national format has 25 rows');

    // Every linked figure, in both tables.
    const links = await head.locator('[data-testid=report-requests] td a, [data-testid=report-remedies] td a')
      .evaluateAll((as) => as.map((a) => ({ n: Number(a.textContent.trim()), href: a.getAttribute('href') })));
    assert.ok(links.length > 10, `${links.length} linked figures`);
    const total = (row) => head.locator(`[data-testid=report-requests] tr[data-row=${row}] td`).last().getAttribute('data-n');
    assert.ok(Number(await total('new_received')) > 0, 'the demo has 2025 requests');
    assert.equal(
      Number(await total('new_received')) + Number(await total('carried_in')),
      Number(await total('total')) + Number(await total('carried_out')),
      '新收 + 结转 = 总计 + 结转下年度',
    );
    const seen = new Set();
    for (const { n, href } of links) {
      await head.goto(href);
      const count = Number((await head.locator('[data-testid=drill-count]').innerText()).trim());
      const items = await head.locator('[data-testid=drill-requests] li').count();
      assert.equal(count, n, href);
      assert.equal(items, n, href);
      for (const a of await head.locator('[data-testid=drill-requests] a').evaluateAll((as) => as.map((x) => x.getAttribute('href')))) {
        seen.add(a);
      }
    }
    // The requests behind the figures open, and say what the report counted.
    for (const href of [...seen].slice(0, 3)) {
      await head.goto(href);
      assert.match(await head.locator('[data-testid=number]').innerText(), /^GK\d{18}$/);
    }
    // The workbook link is there; the report reads on a phone.
    await head.goto('/disclosure/report?year=2025');
    assert.equal(await head.locator('[data-testid=report-xlsx]').count(), 1);
    await signIn(phone, 'gkb.head');
    await phone.goto('/disclosure/report?year=2025');
    await screenshot(phone, 'disclosure-report-phone.png');
    assertNoServerErrors(head);
    assertNoServerErrors(phone);
  } finally {
    await closePage(head);
    await closePage(phone);
  }
});
