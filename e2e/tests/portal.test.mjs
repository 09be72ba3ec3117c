// Portal home: Chinese content, nothing fetched from outside, screenshots, large-text toggle.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  BASE_URL, DESKTOP, PHONE, launchBrowser, closeBrowser, newPage, closePage,
  screenshot, assertNoServerErrors, DEMO_PASSWORD,
} from './lib.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await closeBrowser(browser); });

test('home page renders Chinese content and loads only local resources', async () => {
  const page = await newPage(browser, DESKTOP);
  const requested = [];
  page.on('request', (req) => requested.push(req.url()));
  try {
    const resp = await page.goto('/', { waitUntil: 'networkidle' });
    assert.equal(resp.status(), 200);
    assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
    assert.match(await page.title(), /通办/);
    assert.equal((await page.locator('h1').innerText()).trim(), '清江市政务服务网');
    const body = await page.locator('body').innerText();
    assert.match(body, /一网通办/);
    assert.ok(await page.locator('a[href="/login"]').count() >= 1, 'login link');
    assert.ok(await page.locator('a[href="/register"]').count() >= 1, 'register link');

    // The stylesheet really applied (not an unstyled page).
    const sheets = await page.evaluate(() => document.styleSheets.length);
    assert.ok(sheets >= 1, 'stylesheet loaded');

    assert.ok(requested.length >= 2, `expected page + assets, got ${requested.join(', ')}`);
    for (const url of requested) {
      assert.ok(url.startsWith(BASE_URL + '/'), `request left the server: ${url}`);
    }

    await screenshot(page, 'portal-home.png');
    assertNoServerErrors(page);
  } finally {
    await closePage(page);
  }
});

test('home page fits a phone screen', async () => {
  const page = await newPage(browser, PHONE, { isMobile: true, hasTouch: true });
  const requested = [];
  page.on('request', (req) => requested.push(req.url()));
  try {
    await page.goto('/', { waitUntil: 'networkidle' });
    assert.equal((await page.locator('h1').innerText()).trim(), '清江市政务服务网');
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    assert.ok(overflow <= 0, `page scrolls sideways on a phone by ${overflow}px`);
    for (const url of requested) {
      assert.ok(url.startsWith(BASE_URL + '/'), `request left the server: ${url}`);
    }
    await screenshot(page, 'portal-home-phone.png');
  } finally {
    await closePage(page);
  }
});

test('large-text toggle sets html.large and persists on reload', async () => {
  const page = await newPage(browser, DESKTOP);
  try {
    await page.goto('/');
    const htmlHasLarge = () => page.evaluate(() => document.documentElement.classList.contains('large'));
    assert.equal(await htmlHasLarge(), false, 'starts in normal size');
    const normalSize = await page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));

    await Promise.all([
      page.waitForNavigation({ waitUntil: 'load' }),
      page.getByRole('link', { name: '大字模式' }).click(),
    ]);
    assert.equal(new URL(page.url()).pathname, '/', 'stays on the page it was toggled from');
    assert.equal(await htmlHasLarge(), true, 'html.large after toggle');
    const largeSize = await page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
    assert.ok(largeSize > normalSize, `font grows (${normalSize} -> ${largeSize})`);

    await page.reload();
    assert.equal(await htmlHasLarge(), true, 'html.large survives a reload');
    await page.goto('/login');
    assert.equal(await htmlHasLarge(), true, 'html.large on another page');
    await screenshot(page, 'login-large.png');

    // And back.
    await Promise.all([
      page.waitForNavigation({ waitUntil: 'load' }),
      page.locator('a.size').click(),
    ]);
    assert.equal(new URL(page.url()).pathname, '/login');
    assert.equal(await htmlHasLarge(), false, 'toggled back to normal');
    await page.reload();
    assert.equal(await htmlHasLarge(), false, 'normal survives a reload');
    assertNoServerErrors(page);
  } finally {
    await closePage(page);
  }
});

test('在线申请 without a session asks to sign in, says why, and returns to the form', async () => {
  const page = await newPage(browser, PHONE);
  try {
    await page.goto('/items/QR00701002');
    await Promise.all([
      page.waitForNavigation({ waitUntil: 'load' }),
      page.locator('[data-testid=apply]').click(),
    ]);
    assert.equal(new URL(page.url()).pathname, '/login');
    assert.match(await page.locator('p.notice').innerText(), /需要登录.*回到该页面/);
    await page.fill('input[name=login]', 'user01');
    await page.fill('input[name=password]', DEMO_PASSWORD);
    await Promise.all([
      page.waitForNavigation({ waitUntil: 'load' }),
      page.click('form[action="/login"] button[type=submit]'),
    ]);
    assert.match(new URL(page.url()).pathname, /^\/items\/QR00701002[A-Z0-9]*\/apply$/, 'back at the form');
    assert.equal(await page.locator('[data-testid=apply-form]').count(), 1);
    assertNoServerErrors(page);
  } finally {
    await closePage(page);
  }
});
