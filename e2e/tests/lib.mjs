// Shared helpers for the Tongban browser journeys (node --test + playwright-core).
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Base URL of the running server, without a trailing slash. */
export const BASE_URL = (process.env.BASE_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');

/** Password of every demo account. */
export const DEMO_PASSWORD = 'Tongban@2026';

/** Where screenshots go (git-ignored). */
export const ARTIFACTS = process.env.ARTIFACTS_DIR || path.resolve(here, '..', 'artifacts');

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

/** Start Debian's Chromium headless. */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export async function closeBrowser(browser) {
  if (browser) await browser.close();
}

/**
 * A fresh page in its own context (own cookies), with the given viewport.
 * Every response of status >= 500 is recorded on page.serverErrors.
 */
export async function newPage(browser, viewport = DESKTOP, options = {}) {
  const context = await browser.newContext({
    viewport,
    locale: 'zh-CN',
    baseURL: BASE_URL,
    ...options,
  });
  context.setDefaultTimeout(10_000);
  context.setDefaultNavigationTimeout(15_000);
  const page = await context.newPage();
  page.serverErrors = [];
  page.on('response', (r) => {
    if (r.status() >= 500) page.serverErrors.push(`${r.status()} ${r.url()}`);
  });
  return page;
}

export async function closePage(page) {
  if (page) await page.context().close();
}

/** Fill the login form and submit it; waits for the resulting navigation. */
export async function signIn(page, login, password = DEMO_PASSWORD) {
  await page.goto('/login');
  await page.fill('input[name=login]', login);
  await page.fill('input[name=password]', password);
  await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    page.click('form[action="/login"] button[type=submit]'),
  ]);
}

/** Click the header's 退出 button and wait for the navigation. */
export async function signOut(page) {
  // On a phone the header's links (退出 too) sit behind 菜单.
  const button = page.locator('form[action="/logout"] button[type=submit]');
  const menu = page.locator('[data-testid=menu-button]');
  if (!(await button.isVisible()) && (await menu.isVisible())) await menu.click();
  await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    page.click('form[action="/logout"] button[type=submit]'),
  ]);
}

/** Path of the current page, e.g. "/workbench". */
export function pathOf(page) {
  return new URL(page.url()).pathname;
}

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

/** GB 11643 check character for the first 17 digits. */
export function idCheckChar(first17) {
  assert.match(first17, /^\d{17}$/);
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i];
  return CHECK[sum % 11];
}

/**
 * A valid 18-character resident ID: region + a real birth date + a 9xx
 * sequence (unused by the demo data) + the check character.
 */
export function validIdNumber({ region = '361202', seq } = {}) {
  const y = 1960 + Math.floor(Math.random() * 40);
  const m = 1 + Math.floor(Math.random() * 12);
  const d = 1 + Math.floor(Math.random() * 28);
  const s = seq ?? 900 + Math.floor(Math.random() * 100);
  const first17 =
    region + String(y) + String(m).padStart(2, '0') + String(d).padStart(2, '0') + String(s).padStart(3, '0');
  return first17 + idCheckChar(first17);
}

/** The same ID with a wrong check character. */
export function withWrongCheckChar(id) {
  const right = id[17];
  const wrong = CHECK.split('').find((c) => c !== right);
  return id.slice(0, 17) + wrong;
}

/** Save a screenshot under artifacts/ and return its path. */
export async function screenshot(page, name, { fullPage = true } = {}) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, name.endsWith('.png') ? name : `${name}.png`);
  await page.screenshot({ path: file, fullPage });
  return file;
}

/** Trimmed inner texts of every element matching selector. */
export async function texts(page, selector) {
  return (await page.locator(selector).allInnerTexts()).map((t) => t.trim());
}

/** Assert no response during the page's life was a 5xx. */
export function assertNoServerErrors(page) {
  assert.deepEqual(page.serverErrors, [], 'server answered with 5xx');
}
