// Journeys of the catalog: a citizen finds a guide by an everyday word and downloads a form;
// three reviewers take a pending item through 初审, 复审 and 审定 to publication.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, closeBrowser, newPage, signIn, signOut, screenshot, PHONE } from './lib.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await closeBrowser(browser); });

test('a citizen searches 营业执照, reads the guide, sees the flowchart and downloads a form', async () => {
  const page = await newPage(browser, PHONE, { acceptDownloads: true });
  await page.goto('/');
  await page.fill('form.search-hero input[name=q]', '营业执照');
  await Promise.all([page.waitForURL(/\/items\?q=/), page.click('form.search-hero button')]);
  const results = page.locator('[data-testid=results] li a.item-name');
  assert.ok(await results.count() >= 1, 'something found');
  const names = await results.allInnerTexts();
  assert.ok(names.some((n) => n.includes('企业设立登记')), `企业设立登记 among ${names}`);
  await Promise.all([page.waitForURL(/\/items\/[A-Z0-9]+$/), results.filter({ hasText: '企业设立登记' }).first().click()]);
  assert.equal(await page.locator('[data-testid=item-name]').innerText(), '企业设立登记');
  // On a phone the flowchart reads as its steps, top to bottom (the drawing is for wider screens).
  const steps = page.locator('[data-testid=flow-list] li');
  assert.ok(await steps.first().isVisible(), 'the flowchart is listed');
  assert.ok(await steps.count() >= 2, 'every step listed');
  await page.setViewportSize({ width: 1280, height: 900 });
  const chart = page.locator('[data-testid=flowchart] svg');
  assert.ok(await chart.isVisible(), 'the flowchart is drawn on a wide screen');
  const box = await chart.boundingBox();
  assert.ok(box.width > 100 && box.height > 100, `a real drawing: ${JSON.stringify(box)}`);
  await page.setViewportSize(PHONE);
  assert.match(await page.locator('[data-testid=materials]').innerText(), /公司章程/);
  await screenshot(page, 'guide-phone.png');

  const link = page.locator('[data-testid=materials] a[download]').first();
  assert.ok(await link.count() > 0, 'a blank form to download');
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  assert.match(download.suggestedFilename(), /空表/);
  const stream = await download.createReadStream();
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  // The blank form is a PDF made by the document service.
  assert.equal(Buffer.concat(chunks).subarray(0, 5).toString('latin1'), '%PDF-');
  await page.context().close();
});

test('three reviewers take a pending item to publication', async () => {
  const page = await newPage(browser);
  const reviewers = [['jiancha', '初审'], ['fazhi', '复审'], ['lingdao', '审定']];
  let itemUrl;
  let name;
  for (const [login, stage] of reviewers) {
    await signIn(page, login);
    await page.goto('/catalog');
    const queue = page.locator('[data-testid=review-queue] a');
    assert.ok(await queue.count() >= 1, `${login} has something to review`);
    if (!itemUrl) {
      name = await queue.first().innerText();
      itemUrl = await queue.first().getAttribute('href');
    }
    assert.match(await page.locator('h2', { hasText: '待我审核' }).innerText(), new RegExp(stage));
    await page.goto(itemUrl);
    const form = page.locator('form.action-form', { has: page.locator('input[name=action][value=approve]') });
    await form.locator('textarea[name=comment]').fill(`${stage}通过`);
    await Promise.all([page.waitForURL(/ok=1/), form.locator('button').click()]);
    assert.match(await page.locator('[data-testid=history]').innerText(), new RegExp(`${stage}通过`));
    await signOut(page);
  }
  await page.goto(itemUrl);
  await signIn(page, 'admin');
  await page.goto(itemUrl);
  assert.equal(await page.locator('[data-testid=status]').innerText(), '已发布');
  const code = (await page.locator('dd.code').innerText()).trim();
  await page.goto(`/items/${code}`);
  assert.equal(await page.locator('[data-testid=item-name]').innerText(), name);
  await screenshot(page, 'published-guide.png');
  await page.context().close();
});
