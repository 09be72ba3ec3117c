// Runs after the other journeys but z-opengov (file name): it moves the shared simulated clock
// into 2027, which z-opengov's 40 days need not mind; this one needs the clock before 28 December.
//
// The year the State Council has not announced yet never blinds the deadlines (issue 15):
// (a) a case filed online on Monday 28 December 2026 and left unanswered is accepted by law
//     (行政许可法 第三十二条) in January, its deadlines computed on the provisional 2027 and
//     marked so, lit as they pass;
// (b) when an administrator loads the official 2027, every open case is re-timed by the
//     sweeper without a write to the case: the marks go, the history is unchanged.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launchBrowser, closeBrowser, newPage, closePage, signIn, signOut, pathOf,
  screenshot, assertNoServerErrors,
} from './lib.mjs';

const ITEM = 'QR00701002'; // 国有建设用地使用权及房屋所有权转移登记

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await closeBrowser(browser); });

function pdf(name) {
  return { name, mimeType: 'application/pdf', buffer: Buffer.from(`%PDF-1.4\n% ${name}\n%%EOF\n`) };
}

async function submit(page, button) {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), button.click()]);
}

/** The simulated clock's date, as the clock page shows it (Beijing time). */
async function serverDay(admin) {
  await admin.goto('/admin/clock');
  const shown = await admin.locator('table').first().innerText();
  const m = shown.match(/(\d{4})-(\d{2})-(\d{2})/);
  assert.ok(m, `the clock page shows a date: ${shown}`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
}

/** Moves the simulated clock forward to the given day (same time of day). */
async function moveTo(admin, y, mo, d) {
  const days = Math.round((Date.UTC(y, mo - 1, d) - (await serverDay(admin))) / 86_400_000);
  assert.ok(days >= 0, `the server's clock is already past ${y}-${mo}-${d}`);
  if (days > 0) await advance(admin, { days });
}

async function advance(admin, { days = 0, hours = 0 }) {
  await admin.goto('/admin/clock');
  if (days) await admin.fill('input[name=days]', String(days));
  if (hours) await admin.fill('input[name=hours]', String(hours));
  await submit(admin, admin.locator('form[action="/admin/clock"] button[type=submit]'));
}

async function statusOf(page) {
  return (await page.locator('[data-testid=status]').innerText()).trim();
}

test('a case left unanswered over the new year is accepted by law on a provisional 2027, then re-timed when 2027 is loaded', async () => {
  const admin = await newPage(browser);
  const page = await newPage(browser);
  try {
    await signIn(admin, 'admin');
    await moveTo(admin, 2026, 12, 28);

    // Monday 28 December: user03 applies online with every material; nobody answers.
    await signIn(page, 'user03');
    await page.goto(`/items/${ITEM}`);
    await submit(page, page.locator('[data-testid=apply]'));
    const form = page.locator('[data-testid=apply-form]');
    await form.locator('input[name=commit]').check();
    for (const m of ['m1', 'm2', 'm3', 'm4']) {
      await form.locator(`input[name=m_${m}]`).setInputFiles(pdf(`${m}.pdf`));
    }
    await form.locator('input[name=delivery][value=window]').check();
    await submit(page, form.locator('button[type=submit]'));
    assert.match(pathOf(page), /^\/cases\/\d{6}-\d{8}-\d{6}$/);
    const number = (await page.locator('[data-testid=case-number]').innerText()).trim();
    assert.equal(await statusOf(page), '待受理');
    // The 5-working-day intake deadline already runs into 2027, provisional and marked.
    assert.match(await page.locator('[data-testid=provisional]').first().innerText(), /按法定节假日推算/);
    await signOut(page);

    // Friday 15 January 2027.
    await moveTo(admin, 2027, 1, 15);

    await signIn(page, 'zrzy.clerk');
    await page.goto(`/cases/${number}`);
    assert.equal(await statusOf(page), '办理中', 'accepted by law');
    const timeline = await page.locator('[data-testid=timeline]').innerText();
    assert.match(timeline, /依法自收到材料之日起视为受理/);
    const notes = await page.locator('[data-testid=provisional]').allInnerTexts();
    assert.ok(notes.length > 0 && notes.every((n) => /按法定节假日推算/.test(n)), notes.join('|'));
    // Its steps' deadlines light as they pass, on the provisional year too.
    const lights = await page.locator('[data-testid=light]').allInnerTexts();
    assert.ok(lights.some((l) => /黄|红/.test(l)), lights.join('|'));
    await screenshot(page, 'new-year-provisional.png');
    const events = await page.locator('[data-testid=timeline] tbody tr').count();

    // The supervision board says some open deadlines are provisional.
    const board = await newPage(browser);
    await signIn(board, 'jiancha');
    await board.goto('/supervision');
    assert.match(await board.locator('[data-testid=board-provisional]').innerText(), /2027 年.*按法定节假日推算/);

    // The administrator loads the official 2027; the next sweep re-times every open case.
    await admin.goto('/admin/calendar?year=2027');
    const year = admin.locator('form[action="/admin/calendar/year"]');
    await year.locator('input[name=year]').fill('2027');
    await year.locator('input[name=notice]').fill('国办发明电〔2026〕99号（演示）');
    // The days the law gives (`tongban calendar provisional --from 2027 --to 2027`), so the
    // journeys after this one count on the same days, now announced.
    await year.locator('textarea[name=rules]').fill([
      '2027-01-01 off 元旦',
      '2027-02-05..2027-02-10 off 春节',
      '2027-04-05 off 清明节',
      '2027-05-01..2027-05-04 off 劳动节',
      '2027-06-09 off 端午节',
      '2027-09-15 off 中秋节',
      '2027-10-01..2027-10-05 off 国庆节',
    ].join('\n'));
    await submit(admin, year.locator('button[type=submit]'));
    assert.match(admin.url(), /ok=1/);
    await advance(admin, { hours: 1 });
    await admin.goto('/admin/calendar?year=2027');
    const jobs = await admin.locator('[data-testid=retime]').innerText();
    assert.match(jobs, /已完成/, jobs);
    assert.match(jobs, /已重新计算 [1-9]\d* \/ [1-9]\d* 件在办件/, jobs);

    // (Moving the clock an hour ends the other sessions' idle time: sign in again.)
    await signIn(page, 'zrzy.clerk');
    await page.goto(`/cases/${number}`);
    assert.equal(await page.locator('[data-testid=provisional]').count(), 0, 'nothing provisional any more');
    assert.equal(await page.locator('[data-testid=timeline] tbody tr').count(), events, 'no write to the case');
    await signIn(board, 'jiancha');
    await board.goto('/supervision');
    assert.equal(await board.locator('[data-testid=board-provisional]').count(), 0, 'the banner is gone');
    assertNoServerErrors(board);
    await closePage(board);
    assertNoServerErrors(page);
    assertNoServerErrors(admin);
  } finally {
    await closePage(page);
    await closePage(admin);
  }
});
