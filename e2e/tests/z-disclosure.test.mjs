// Runs last (file name): its journey (b) moves the shared simulated clock 5 days, and the
// ratings journey rates a demo case decided at start-up that becomes 基本满意 by default after
// 7 natural days (rating.default_days).
// Government-information disclosure requests (政府信息公开条例 2019) in the browser:
// (a) an online request through 补正, the restart, a third-party consultation, a per-volume fee
//     and 部分公开 to the reply letter;
// (b) a request deemed withdrawn after an unanswered 补正, once the clock passes its deadline;
// (c) an extension by the office head.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launchBrowser, closeBrowser, newPage, closePage, signIn, signOut, pathOf, texts,
  screenshot, assertNoServerErrors, validIdNumber, PHONE,
} from './lib.mjs';

const OFFICE = '清江市人民政府办公室（政务公开办）';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await closeBrowser(browser);
});

async function submit(page, button) {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), button.click()]);
}

async function statusOf(page) {
  return (await page.locator('[data-testid=status]').innerText()).trim();
}

async function act(page, testid, fill = async () => {}) {
  const form = page.locator(`form[data-testid=${testid}]`);
  await fill(form);
  await submit(page, form.locator('button[type=submit]'));
  const error = page.locator('p.error');
  if (await error.count()) {
    assert.fail(`${testid}: ${await error.innerText()}`);
  }
}

async function fileAsOffice(page, description) {
  await page.goto('/disclosure');
  const form = page.locator('form[data-testid=disclosure-form]');
  await form.locator('select[name=department_id]').selectOption({ label: OFFICE });
  await form.locator('select[name=applicant_kind]').selectOption('citizen');
  await form.locator('input[name=name]').fill('李四');
  await form.locator('input[name=id_code]').fill(validIdNumber({ seq: 61 }));
  await form.locator('input[name=phone]').fill('13800138061');
  await form.locator('textarea[name=description]').fill(description);
  await form.locator('select[name=channel]').selectOption('fax');
  await submit(page, form.locator('button[type=submit]'));
  assert.match(pathOf(page), /^\/disclosure\/requests\/GK\d{18}$/);
  const number = pathOf(page).split('/').pop();
  assert.equal(await statusOf(page), '待确认收到');
  await act(page, 'confirm');
  assert.equal(await statusOf(page), '办理中');
  return number;
}

test('(a) 补正, restart, consultation, per-volume fee and 部分公开 to the reply', async () => {
  const applicant = await newPage(browser, PHONE);
  const clerk = await newPage(browser);
  const id = validIdNumber({ seq: 60 });
  try {
    // The applicant files online, on a phone.
    await signIn(applicant, 'user01');
    await applicant.goto('/disclosure');
    const form = applicant.locator('form[data-testid=disclosure-form]');
    await form.locator('select[name=department_id]').selectOption({ label: OFFICE });
    await form.locator('select[name=applicant_kind]').selectOption('citizen');
    await form.locator('input[name=name]').fill('张三');
    await form.locator('input[name=id_code]').fill(id);
    await form.locator('input[name=phone]').fill('13800138060');
    await form.locator('textarea[name=description]').fill('2025年老旧小区改造项目的施工合同');
    await submit(applicant, form.locator('button[type=submit]'));
    const number = pathOf(applicant).split('/').pop();
    assert.match(number, /^GK\d{18}$/);
    assert.equal(await statusOf(applicant), '待确认收到');
    assert.ok(!(await applicant.locator('body').innerText()).includes(id), 'the ID number is masked');

    // The office confirms it and sends the one 补正 notice.
    await signIn(clerk, 'gkb.clerk');
    await clerk.goto('/disclosure');
    assert.ok((await texts(clerk, '[data-testid=disclosure-list] td:first-child')).includes(number));
    await clerk.goto(`/disclosure/requests/${number}`);
    await act(clerk, 'confirm');
    assert.equal(await statusOf(clerk), '办理中');
    await act(clerk, 'request-supplement', (f) => f.locator('textarea[name=items]').fill('请写明项目所在街道\n请写明合同签订年份'));
    assert.equal(await statusOf(clerk), '待补正');
    assert.equal(await clerk.locator('form[data-testid=request-supplement]').count(), 0, 'one notice only');

    // The applicant supplies it: the reply period starts again.
    await applicant.goto(`/disclosure/requests/${number}`);
    await act(applicant, 'supplement', (f) => f.locator('textarea[name=text]').fill('白鹭街道，2025年'));
    assert.equal(await statusOf(applicant), '办理中');
    const history = await texts(applicant, '.timeline li');
    assert.ok(history.some((h) => h.includes('答复期限自收到补正之日起重新计算')), history.join('|'));

    // Third-party consultation: the clock stops, then runs again with the answer.
    await clerk.goto(`/disclosure/requests/${number}`);
    await act(clerk, 'consult', async (f) => {
      await f.locator('select[name=kind]').selectOption('third_party');
      await f.locator('input[name=party]').fill('清江建设工程有限公司');
      await f.locator('input[name=matter]').fill('合同单价是否属于商业秘密');
    });
    assert.equal(await statusOf(clerk), '征求意见中');
    assert.ok((await texts(clerk, '[data-testid=deadlines] li')).some((d) => d.startsWith('被征求意见方答复期限')));
    await act(clerk, 'close-consultation', (f) => f.locator('input[name=answer]').fill('不同意公开合同单价'));
    assert.equal(await statusOf(clerk), '办理中');

    // A per-volume fee: 120 pages, 1100 yuan; paid.
    await act(clerk, 'notice-fee', async (f) => {
      await f.locator('input[value=per_volume]').check();
      await f.locator('input[name=pages]').fill('120');
    });
    assert.equal(await statusOf(clerk), '待缴纳信息处理费');
    assert.match(await clerk.locator('[data-testid=fee]').innerText(), /合计 1100 元/);
    await act(clerk, 'pay-fee', (f) => f.locator('input[name=reference]').fill('JK-E2E-0001'));
    assert.equal(await statusOf(clerk), '办理中');

    // 部分公开 without its grounds is refused with a stable code; with them, it is the reply.
    const reply = clerk.locator('form[data-testid=reply-form]');
    await reply.locator('select[name=reply_kind]').selectOption('partly_disclosed');
    await submit(clerk, reply.locator('button[type=submit]'));
    assert.equal(await clerk.locator('p.error').getAttribute('data-code'), 'disclosure.grounds_missing');
    await act(clerk, 'reply-form', async (f) => {
      await f.locator('select[name=reply_kind]').selectOption('partly_disclosed');
      await f.locator('input[name=withheld_part]').fill('合同单价');
      await f.locator('select[name=withheld_ground]').selectOption('third_party');
      await f.locator('input[name=withheld_reason]').fill('第三方认为属于商业秘密且不同意公开');
      await f.locator('textarea[name=reply_text]').fill('其余内容以电子邮件提供。');
    });
    assert.equal(await statusOf(clerk), '已答复');

    // The applicant reads the reply letter and the day-by-day clock on the phone.
    await applicant.goto(`/disclosure/requests/${number}`);
    assert.equal(await statusOf(applicant), '已答复');
    const letter = await applicant.locator('[data-testid=letter]').innerText();
    assert.match(letter, /政府信息公开申请答复书/);
    assert.match(letter, /第三十七条/);
    assert.match(letter, /合同单价/);
    assert.match(letter, /1100\.00 元/);
    const explain = await texts(applicant, '[data-testid=explain] li');
    // Everything happened on the day the supplement arrived, the start day, which never
    // counts: the account starts there and runs day by day to the due date.
    // (The journeys run on today's date, so that day may fall on a weekend.)
    assert.match(explain[0], /起算日（(次日起算|周末)），不计入/);
    assert.ok(explain.some((l) => /计入第1/.test(l)), explain.join('|'));
    const steps = await texts(applicant, '.timeline li');
    for (const step of ['发出补正通知', '申请人补正', '征求意见', '结束征求意见', '发出收费通知', '缴纳信息处理费', '作出答复']) {
      assert.ok(steps.some((h) => h.includes(step)), `${step}: ${steps.join('|')}`);
    }
    await screenshot(applicant, 'disclosure-reply-phone.png');
    assertNoServerErrors(applicant);
    assertNoServerErrors(clerk);
  } finally {
    await closePage(applicant);
    await closePage(clerk);
  }
});

test('(c) an extension by the office head', async () => {
  const clerk = await newPage(browser);
  try {
    await signIn(clerk, 'gkb.clerk');
    const number = await fileAsOffice(clerk, '本市2025年政府采购中标公告');
    assert.equal(await clerk.locator('form[data-testid=extend]').count(), 0, 'clerks do not extend');
    await signOut(clerk);
    await signIn(clerk, 'gkb.head');
    await clerk.goto(`/disclosure/requests/${number}`);
    const before = (await clerk.locator('[data-testid=due]').innerText()).trim();
    await act(clerk, 'extend', async (f) => {
      await f.locator('input[name=days]').fill('20');
      await f.locator('input[name=reason]').fill('需调取历年档案，工作量较大');
    });
    const after = (await clerk.locator('[data-testid=due]').innerText()).trim();
    assert.ok(after > before, `${after} after ${before}`);
    const deadlines = await texts(clerk, '[data-testid=deadlines] li');
    assert.ok(deadlines.some((d) => d.startsWith('延长后的答复期限') && d.includes(after)), deadlines.join('|'));
    assert.equal(await clerk.locator('form[data-testid=extend]').count(), 0, 'one extension only');
    assertNoServerErrors(clerk);
  } finally {
    await closePage(clerk);
  }
});

test('(b) an unanswered 补正 is deemed withdrawn once its deadline passes', async () => {
  const clerk = await newPage(browser);
  const admin = await newPage(browser);
  try {
    await signIn(clerk, 'gkb.clerk');
    const number = await fileAsOffice(clerk, '某街道2025年低保人员名单');
    await act(clerk, 'request-supplement', async (f) => {
      await f.locator('textarea[name=items]').fill('请写明街道名称');
      await f.locator('input[name=days]').fill('1');
    });
    assert.equal(await statusOf(clerk), '待补正');

    // Five days pass; moving the clock sweeps at once.
    await signIn(admin, 'admin');
    await admin.goto('/admin/clock');
    await admin.fill('input[name=days]', '5');
    await submit(admin, admin.locator('form[action="/admin/clock"] button[type=submit]'));

    await signIn(clerk, 'gkb.clerk');
    await clerk.goto(`/disclosure/requests/${number}`);
    assert.equal(await statusOf(clerk), '视为放弃申请');
    const history = await texts(clerk, '.timeline li');
    assert.ok(history.some((h) => h.includes('逾期未补正，视为放弃申请')), history.join('|'));
  } finally {
    await closePage(clerk);
    await closePage(admin);
  }
});
