// Moves the shared simulated clock into the next year (file name: after the other journeys but
// z-opengov and z-performance, which do not mind where the clock stands).
//
// The year the State Council has not announced yet never blinds the deadlines (issue 15):
// (a) a case filed online on 28 December and left unanswered is accepted by law (行政许可法
//     第三十二条) on 15 January, its deadlines computed on the provisional new year and marked
//     so, lit as they pass (28 December 2026 when the clock has not passed it, as on the day
//     this was written; otherwise the next 28 December);
// (b) when an administrator loads that year as announced, every open case is re-timed by the
//     sweeper without a write to the case: the marks go, the history is unchanged.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
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

/** The days off the law gives a year not announced, as the binary computes them, in the
 * calendar editor's line format. */
function lawfulYear(year) {
  const out = execFileSync(process.env.TONGBAN_BIN,
    ['calendar', 'provisional', '--from', String(year), '--to', String(year)], { encoding: 'utf8' });
  const lines = out.split('\n')
    .map((l) => l.match(/^(\d{4}-\d{2}-\d{2}) (\S+?)(?:（推算）)?$/))
    .filter(Boolean)
    .map((m) => `${m[1]} off ${m[2]}`);
  assert.ok(lines.length >= 10, out);
  return lines.join('\n');
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

test('a case left unanswered over the new year is accepted by law on the provisional year, then re-timed when the year is loaded', async () => {
  const admin = await newPage(browser);
  const page = await newPage(browser);
  try {
    await signIn(admin, 'admin');
    const today = new Date(await serverDay(admin));
    let year = today.getUTCFullYear();
    if (today.getTime() > Date.UTC(year, 11, 28)) year += 1;
    const next = year + 1;
    await moveTo(admin, year, 12, 28);

    // 28 December: user03 applies online with every material; nobody answers.
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
    await submit(page, page.locator('[data-testid=confirm-form] button[type=submit]'));
    assert.match(pathOf(page), /^\/cases\/\d{6}-\d{8}-\d{6}$/);
    const number = (await page.locator('[data-testid=case-number]').innerText()).trim();
    assert.equal(await statusOf(page), '待受理');
    // The 5-working-day intake deadline already runs into the new year, provisional and marked.
    assert.match(await page.locator('[data-testid=provisional]').first().innerText(), /按法定节假日推算/);
    await signOut(page);

    // 15 January.
    await moveTo(admin, next, 1, 15);

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
    assert.match(await board.locator('[data-testid=board-provisional]').innerText(), /\d{4} 年.*按法定节假日推算/);

    // The administrator loads the year as announced (here: the days the law gives, so the
    // journeys after this one count on the same days), and any year before it still unannounced
    // (when the clock had already passed 28 December 2026); the next sweep re-times every open
    // case.
    for (let y = 2027; y <= next; y += 1) {
      await admin.goto(`/admin/calendar?year=${y}`);
      const yearForm = admin.locator('form[action="/admin/calendar/year"]');
      await yearForm.locator('input[name=year]').fill(String(y));
      await yearForm.locator('input[name=notice]').fill(`国办发明电〔${y - 1}〕99号（演示）`);
      await yearForm.locator('textarea[name=rules]').fill(lawfulYear(y));
      await submit(admin, yearForm.locator('button[type=submit]'));
      assert.match(admin.url(), /ok=1/);
    }
    await advance(admin, { hours: 1 });
    await admin.goto(`/admin/calendar?year=${next}`);
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
