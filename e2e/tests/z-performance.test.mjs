// Runs after the others (file name): it moves the shared simulated clock past the end of the
// quarter it works in, and does not assume where the clock started.
// 绩效考评 in the browser: a case at 自然资源局 decided after its deadline; the quarter it was
// decided in is published by a supervisor (监察人员) once it is over; the supervisor drills from
// the department's score to the late case behind its 按时办结率; a correction without a reason
// is refused with its code, and with a reason it becomes version 2 beside version 1.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launchBrowser, closeBrowser, newPage, closePage, signIn, signOut, pathOf,
  validIdNumber, screenshot, assertNoServerErrors, PHONE,
} from './lib.mjs';

const ITEM = 'QR00701002'; // 国有建设用地使用权及房屋所有权转移登记, 5 committed working days
const DEPT = '清江市自然资源局';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await closeBrowser(browser); });

function pdf(name) {
  return { name, mimeType: 'application/pdf', buffer: Buffer.from(`%PDF-1.4\n% ${name}\n%%EOF\n`) };
}

async function submit(page, button) {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), button.click()]);
}

/** The simulated clock's date (Shanghai) as the administrator's clock page shows it. */
async function today(page) {
  await signIn(page, 'admin');
  await page.goto('/admin/clock');
  const text = await page.locator('main').innerText();
  const m = text.match(/(\d{4})-(\d{2})-(\d{2}) \d{2}:\d{2}/);
  assert.ok(m, 'the clock page shows the time');
  await signOut(page);
  return { y: Number(m[1]), m: Number(m[2]), d: Number(m[3]) };
}

/** Moves the simulated clock `days` days as the administrator. */
async function later(page, days) {
  await signIn(page, 'admin');
  await page.goto('/admin/clock');
  await page.fill('input[name=days]', String(days));
  await submit(page, page.locator('form[action="/admin/clock"] button[type=submit]'));
  await signOut(page);
}

async function approveStep(page, number, login, step) {
  await signIn(page, login);
  await page.goto(`/cases/${number}`);
  const form = page.locator(`form[data-action=decide][data-step=${step}]`);
  if (await form.count()) {
    await form.locator('textarea[name=opinion]').fill('同意');
    await submit(page, form.locator('button[name=approve][value=yes]'));
    assert.match(page.url(), /ok=decide/);
  }
  await signOut(page);
}

test('a supervisor publishes a quarter, drills to the late case and corrects a score with a reason', async () => {
  const page = await newPage(browser);
  const phone = await newPage(browser, PHONE);
  try {
    // A walk-in at 自然资源局's window, accepted.
    await signIn(page, 'zrzy.clerk');
    await page.goto(`/cases/new?item=${ITEM}`);
    const form = page.locator('[data-testid=apply-form]');
    await form.locator('input[name=name]').fill('钱绩效');
    await form.locator('input[name=id_code]').fill(validIdNumber({ seq: 88 }));
    await form.locator('input[name=phone]').fill('13800138088');
    await form.locator('input[name=commit]').check();
    for (const key of ['m1', 'm2', 'm3', 'm4']) {
      await form.locator(`input[name=m_${key}]`).setInputFiles(pdf(`${key}.pdf`));
    }
    await submit(page, form.locator('button[type=submit]'));
    const number = (await page.locator('[data-testid=case-number]').innerText()).trim();
    await submit(page, page.locator('form[data-action=accept] button[value=accept]'));
    await signOut(page);

    // Twelve days later, past its 5 working days, the reviews and the decision are given.
    await later(page, 12);
    await approveStep(page, number, 'zrzy.approver', 's2a');
    await approveStep(page, number, 'swj.approver', 's2b');
    await approveStep(page, number, 'zrzy.head', 's3');
    await signIn(page, 'zrzy.head');
    await page.goto(`/cases/${number}`);
    assert.match(await page.locator('[data-testid=status]').innerText(), /已决定/);
    await signOut(page);

    // The quarter it was decided in, and the clock moved to the first days of the next.
    const t = await today(page);
    const q = Math.ceil(t.m / 3);
    const period = `${t.y}-Q${q}`;
    const next = new Date(Date.UTC(q === 4 ? t.y + 1 : t.y, q === 4 ? 0 : q * 3, 2));
    const days = Math.round((next - Date.UTC(t.y, t.m - 1, t.d)) / 86400000);
    await later(page, days);

    // The supervisor publishes the quarter.
    await signIn(page, 'jiancha');
    await page.goto('/performance');
    const pub = page.locator('form[data-action=publish-period]');
    await pub.locator('input[name=period]').fill(period);
    await submit(page, pub.locator('button[type=submit]'));
    assert.match(pathOf(page), /^\/performance\/periods\/\d+$/);
    const periodPath = pathOf(page);
    assert.equal(await page.locator('[data-testid=versions] li').count(), 1);
    await screenshot(page, 'performance-period.png');

    // Publishing it again is refused: a change is a correction.
    await page.goto('/performance');
    await pub.locator('input[name=period]').fill(period);
    await submit(page, pub.locator('button[type=submit]'));
    assert.equal(await page.locator('p.error').getAttribute('data-code'), 'performance.published');

    // From the department's score to its 按时办结率, to the late case behind it.
    await page.goto(periodPath);
    await submit(page, page.locator('[data-testid=ranking] a', { hasText: DEPT }).first());
    const line = page.locator('[data-testid=lines] tr', { hasText: '按时办结率' });
    assert.match(await line.innerText(), /按时办结件数 \d+ ÷ 办结件数 \d+/);
    await submit(page, line.locator('a'));
    const late = page.locator(`[data-testid=drill] tr[data-number="${number}"]`);
    assert.equal(await late.getAttribute('data-counted'), '0', 'the late case is not on time');
    await screenshot(page, 'performance-drill.png');
    await submit(page, late.locator('a'));
    assert.equal(pathOf(page), `/cases/${number}`);

    // A correction without a reason is refused and nothing changes.
    await page.goto(periodPath);
    const correct = page.locator('form[data-action=correct]');
    await submit(page, correct.locator('button[type=submit]'));
    assert.equal(await page.locator('p.error').getAttribute('data-code'), 'performance.reason');
    assert.equal(await page.locator('[data-testid=versions] li').count(), 1);

    // With a reason (the late days were the applicant's 补正), it is version 2; version 1 stays.
    await correct.locator('textarea[name=reason]').fill('经核实该件超期系申请人补正所致，按时办结件数更正');
    await correct.locator('select[name=unit]').selectOption({ label: DEPT });
    await correct.locator('select[name=indicator]').selectOption('on_time');
    await correct.locator('input[name=num]').fill('1');
    await correct.locator('input[name=den]').fill('1');
    await submit(page, correct.locator('button[type=submit]'));
    assert.equal(await page.locator('p.error').count(), 0);
    assert.equal(await page.locator('[data-testid=versions] li').count(), 2);
    assert.match(await page.locator('[data-testid=versions]').innerText(), /申请人补正所致/);
    assert.match(await page.locator('[data-testid=ranking] tr', { hasText: DEPT }).innerText(), /已更正/);
    await page.goto(`${periodPath}?version=1`);
    assert.match(await page.locator('h1').innerText(), /第1版/);
    assert.doesNotMatch(await page.locator('[data-testid=ranking] tr', { hasText: DEPT }).innerText(), /已更正/);

    // The board shows the current ranking; the public page shows the formulas, on a phone.
    await page.goto('/supervision');
    assert.match(await page.locator('[data-testid=board-ranking]').innerText(), new RegExp(DEPT));
    await phone.goto('/performance/public');
    assert.match(await phone.locator('main').innerText(), /按时办结率 = 按时办结件数 ÷ 办结件数/);
    await phone.goto(periodPath);
    assert.match(await phone.locator('main').innerText(), /第2版/);
    await screenshot(phone, 'performance-public-phone.png');
    assertNoServerErrors(page);
    assertNoServerErrors(phone);
  } finally {
    await closePage(page);
    await closePage(phone);
  }
});
