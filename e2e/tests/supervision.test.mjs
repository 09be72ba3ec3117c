// Journey of electronic supervision: a supervisor watches a case's deadline turn yellow, then
// red, as the simulated clock moves; issues a supervision order (督办) from the case page; the
// department head answers it from the workbench; the supervisor closes it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launchBrowser, closeBrowser, newPage, closePage, signIn, signOut, pathOf,
  validIdNumber, screenshot, assertNoServerErrors,
} from './lib.mjs';

const ITEM = 'QR00701002'; // 国有建设用地使用权及房屋所有权转移登记, 5 committed working days

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await closeBrowser(browser); });

function pdf(name) {
  return { name, mimeType: 'application/pdf', buffer: Buffer.from(`%PDF-1.4\n% ${name}\n%%EOF\n`) };
}

async function submit(page, button) {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), button.click()]);
}

/** The light of the case's committed deadline, as the case page shows it. */
async function committedLight(page, number) {
  await page.goto(`/cases/${number}`);
  const clock = page.locator('[data-testid=clock]', { hasText: '承诺办结期限' });
  return (await clock.locator('[data-testid=light]').innerText()).trim();
}

/** Moves the simulated clock one day as the administrator. */
async function oneDayLater(page) {
  await signIn(page, 'admin');
  await page.goto('/admin/clock');
  await page.fill('input[name=days]', '1');
  await submit(page, page.locator('form[action="/admin/clock"] button[type=submit]'));
  // A day later every other session has ended on its idle timeout; the administrator's own
  // session started afresh, and is closed here.
  await signOut(page);
}

test('a supervisor watches a deadline turn yellow then red, orders a rectification and closes it', async () => {
  const page = await newPage(browser);
  try {
    // A walk-in with every material, accepted at the window.
    await signIn(page, 'zrzy.clerk');
    await page.goto(`/cases/new?item=${ITEM}`);
    const form = page.locator('[data-testid=apply-form]');
    await form.locator('input[name=name]').fill('赵监督');
    await form.locator('input[name=id_code]').fill(validIdNumber({ seq: 77 }));
    await form.locator('input[name=phone]').fill('13800138077');
    await form.locator('input[name=commit]').check();
    for (const key of ['m1', 'm2', 'm3', 'm4']) {
      await form.locator(`input[name=m_${key}]`).setInputFiles(pdf(`${key}.pdf`));
    }
    await submit(page, form.locator('button[type=submit]'));
    assert.match(pathOf(page), /^\/cases\//);
    const number = (await page.locator('[data-testid=case-number]').innerText()).trim();
    await submit(page, page.locator('form[data-action=accept] button[value=accept]'));
    assert.equal((await page.locator('[data-testid=status]').innerText()).trim(), '办理中');
    await signOut(page);

    // The supervisor sees the deadline in time.
    await signIn(page, 'jiancha');
    assert.equal(await committedLight(page, number), '正常');
    await signOut(page);

    // Day by day, the light turns yellow before the deadline and red after it.
    const seen = ['正常'];
    for (let day = 0; day < 12 && !seen.includes('红灯超期'); day++) {
      await oneDayLater(page);
      await signIn(page, 'jiancha');
      const light = await committedLight(page, number);
      if (seen[seen.length - 1] !== light) seen.push(light);
      if (light === '黄灯预警') await screenshot(page, 'supervision-yellow.png');
      await signOut(page);
    }
    assert.deepEqual(seen, ['正常', '黄灯预警', '红灯超期'], `lights in order: ${seen.join(' → ')}`);

    // Red: the supervisor orders a rectification from the case page.
    await signIn(page, 'jiancha');
    await page.goto(`/cases/${number}`);
    await screenshot(page, 'supervision-red.png');
    const order = page.locator('form[data-action=order]');
    await order.locator('textarea[name=instruction]').fill('办件已超承诺时限，请说明原因并限期整改');
    await order.locator('input[name=days]').fill('3');
    await submit(page, order.locator('button'));
    // Issuing confirms first: to which department, and the day to reply by.
    const confirm = page.locator('[data-testid=order-confirm]');
    assert.match(await confirm.locator('[data-testid=order-due]').innerText(), /3 个工作日/);
    await screenshot(page, 'supervision-order-confirm.png');
    await submit(page, confirm.locator('button[type=submit]'));
    assert.match(await page.locator('[data-testid=orders]').innerText(), /待回复/);
    await signOut(page);

    // The department head answers from the workbench.
    await signIn(page, 'zrzy.head');
    await page.goto('/workbench');
    const row = page.locator('[data-testid=orders] tr', { hasText: number });
    assert.match(await row.innerText(), /请说明原因并限期整改/);
    await row.locator('textarea[name=text]').fill('已督促审核岗当日办结，并对责任人进行效能提醒');
    await submit(page, row.locator('form[data-action=reply] button'));
    await signOut(page);

    // The supervisor closes it.
    await signIn(page, 'jiancha');
    await page.goto('/workbench');
    const mine = page.locator('[data-testid=orders] tr', { hasText: number });
    assert.match(await mine.locator('[data-testid=order-status]').innerText(), /已回复，待办结/);
    await mine.locator('input[name=text]').fill('整改到位');
    await submit(page, mine.locator('form[data-action=close] button'));
    const closed = page.locator('[data-testid=orders] tr', { hasText: number });
    assert.match(await closed.locator('[data-testid=order-status]').innerText(), /已办结/);
    await screenshot(page, 'supervision-order-closed.png');
    assertNoServerErrors(page);
  } finally {
    await closePage(page);
  }
});
