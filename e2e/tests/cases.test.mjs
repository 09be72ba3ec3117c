// Journeys of a case: an online application with a missing material through one supplement
// notice, three parallel departments (one deemed approved when its time runs out), the
// decision, the fee and the delivery, to a result whose QR code verifies; a window refusal
// that supervision sees; and someone else's case that does not exist for another applicant.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launchBrowser, closeBrowser, newPage, closePage, signIn, signOut, pathOf,
  validIdNumber, screenshot, assertNoServerErrors, PHONE, BASE_URL,
} from './lib.mjs';

const ITEM = 'QR00701002'; // 国有建设用地使用权及房屋所有权转移登记

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await closeBrowser(browser); });

/** A small PDF-looking upload: the server sniffs the first bytes. */
function pdf(name) {
  return { name, mimeType: 'application/pdf', buffer: Buffer.from(`%PDF-1.4\n% ${name}\n%%EOF\n`) };
}

/** Click a submit button and wait for the page it leads to. */
async function submit(page, button) {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), button.click()]);
}

async function statusOf(page) {
  return (await page.locator('[data-testid=status]').innerText()).trim();
}

/** The outcome cell of a step in the case page's steps table. */
async function outcomeOf(page, step) {
  return (await page.locator(`[data-testid=steps] tr[data-step=${step}] [data-testid=outcome]`).innerText()).trim();
}

/** Sign in as someone and open the case. */
async function openAs(page, login, number) {
  await signIn(page, login);
  const resp = await page.goto(`/cases/${number}`);
  assert.equal(resp.status(), 200, `${login} opens the case`);
}

/** Approve an open step from its decide form. */
async function approveStep(page, step, opinion) {
  const form = page.locator(`form[data-action=decide][data-step=${step}]`);
  await form.locator('textarea[name=opinion]').fill(opinion);
  await submit(page, form.locator('button[name=approve][value=yes]'));
  assert.match(page.url(), /ok=decide/);
  const err = page.locator('[data-testid=error]');
  assert.equal(await err.count(), 0, await err.count() ? await err.innerText() : '');
}

let number;

test('an applicant applies online, a material is found unreadable, and the case runs to a verified result', async () => {
  const page = await newPage(browser);
  try {
    // user01 finds the guide and applies with every material; the check page lists them.
    await signIn(page, 'user01');
    await page.goto(`/items/${ITEM}`);
    await submit(page, page.locator('[data-testid=apply]'));
    assert.match(pathOf(page), /\/items\/[A-Z0-9]+\/apply$/);
    assert.match(await page.locator('[data-testid=item-name]').innerText(), /转移登记/);
    const form = page.locator('[data-testid=apply-form]');
    await form.locator('input[name=commit]').check();
    await form.locator('input[name=m_m1]').setInputFiles(pdf('申请书.pdf'));
    await form.locator('input[name=m_m2]').setInputFiles(pdf('身份证明.pdf'));
    await form.locator('input[name=m_m3]').setInputFiles(pdf('不动产权证书-模糊.pdf'));
    await form.locator('input[name=m_m4]').setInputFiles([pdf('合同-1.pdf'), pdf('合同-2.pdf')]);
    await form.locator('input[name=delivery][value=window]').check();
    await submit(page, form.locator('button[type=submit]'));
    assert.match(pathOf(page), /\/apply\/check$/);
    assert.match(await page.locator('[data-testid=check-materials]').innerText(), /合同-2\.pdf/);
    await submit(page, page.locator('[data-testid=confirm-form] button[type=submit]'));
    assert.match(pathOf(page), /^\/cases\/\d{6}-\d{8}-\d{6}$/);
    number = (await page.locator('[data-testid=case-number]').innerText()).trim();
    assert.equal(await statusOf(page), '待受理');
    assert.match(await page.locator('[data-testid=flash]').innerText(), /申请已提交/);
    assert.match(await page.locator('[data-testid=materials] tr[data-key=m4]').innerText(), /合同-2\.pdf/);
    await screenshot(page, 'case-submitted.png');
    await signOut(page);

    // The clerk finds the scan of m3 unreadable and sends one notice asking for it again.
    await openAs(page, 'zrzy.clerk', number);
    await screenshot(page, 'case-clerk-intake.png');
    const notice = page.locator('form[data-action=notice]');
    assert.ok(!(await notice.locator('input[name=notice][value=m1]').isChecked()), 'm1 not asked for');
    await notice.locator('input[name=notice][value=m3]').check();
    await notice.locator('input[name=why_m3]').fill('请补交不动产权证书扫描件');
    await submit(page, notice.locator('button[type=submit]'));
    assert.equal(await statusOf(page), '待补正');
    assert.match(await page.locator('[data-testid=timeline]').innerText(), /不动产权证书：请补交不动产权证书扫描件/);
    await signOut(page);

    // The applicant supplements it.
    await openAs(page, 'user01', number);
    assert.match(await page.locator('[data-testid=next-action]').innerText(), /补交/);
    const supplement = page.locator('form[data-action=add_materials]');
    await supplement.locator('input[name=m_m3]').setInputFiles(pdf('不动产权证书.pdf'));
    await submit(page, supplement.locator('button[type=submit]'));
    assert.equal(await statusOf(page), '待受理');
    await signOut(page);

    // The clerk accepts: every material is ticked as received.
    await openAs(page, 'zrzy.clerk', number);
    const accept = page.locator('form[data-action=accept]');
    for (const key of ['m1', 'm2', 'm3', 'm4']) {
      assert.ok(await accept.locator(`input[name=present][value=${key}]`).isChecked(), `${key} ticked`);
    }
    await submit(page, accept.locator('button[value=accept]'));
    assert.equal(await statusOf(page), '办理中');
    for (const step of ['s2a', 's2b', 's2c']) {
      assert.equal(await outcomeOf(page, step), '办理中', `${step} open`);
    }
    await signOut(page);

    // 自然资源局 and 税务局 approve their branches; 住建局 does not answer.
    await openAs(page, 'zrzy.approver', number);
    await screenshot(page, 'case-approver-step.png');
    await approveStep(page, 's2a', '权属清晰，同意转移登记');
    await signOut(page);
    await signIn(page, 'swj.approver');
    await page.goto('/workbench');
    const mySteps = page.locator('[data-testid=my-steps]');
    assert.match(await mySteps.innerText(), new RegExp(number));
    await submit(page, mySteps.locator(`a[href="/cases/${number}"]`).first());
    await approveStep(page, 's2b', '契税已申报缴纳');
    await signOut(page);

    // The administrator moves the simulated clock until 住建局's working day has passed.
    let deemed = false;
    for (let i = 0; i < 5 && !deemed; i++) {
      await signIn(page, 'admin');
      await page.goto('/admin/clock');
      await page.fill('input[name=days]', '2');
      await submit(page, page.locator('form[action="/admin/clock"] button[type=submit]'));
      await signOut(page); // the clock page keeps its own session
      await openAs(page, 'zrzy.head', number);
      deemed = (await outcomeOf(page, 's2c')) === '超时默认通过';
      await signOut(page);
    }
    assert.ok(deemed, 's2c deemed approved');

    // The head registers (登簿), which decides the case.
    await openAs(page, 'zrzy.head', number);
    assert.equal(await outcomeOf(page, 's2c'), '超时默认通过');
    assert.match(await page.locator('[data-testid=timeline]').innerText(), /超时默认通过/);
    await approveStep(page, 's3', '准予登簿');
    assert.equal(await statusOf(page), '已决定，待送达');
    await signOut(page);

    // The window records the fee and hands the certificate over.
    await openAs(page, 'zrzy.clerk', number);
    const pay = page.locator('form[data-action=pay]');
    assert.equal(await pay.locator('input[name=amount_yuan]').inputValue(), '80.00');
    await pay.locator('input[name=reference]').fill('PJ20261121001');
    await submit(page, pay.locator('button[type=submit]'));
    assert.match(page.url(), /ok=pay/);
    const deliver = page.locator('form[data-action=deliver]');
    await deliver.locator('input[name=note]').fill('本人到窗口领取');
    await submit(page, deliver.locator('button[type=submit]'));
    assert.equal(await statusOf(page), '已办结');

    // The result document carries a QR code that leads to its public check.
    await submit(page, page.locator('[data-testid=documents] a', { hasText: '准予行政许可决定书' }));
    assert.match(await page.locator('[data-testid=document] h1').innerText(), /准予行政许可决定书/);
    assert.ok(await page.locator('[data-testid=qr] svg').isVisible(), 'QR code drawn');
    await screenshot(page, 'case-result-document.png');
    await signOut(page);
    assertNoServerErrors(page);
  } finally {
    await closePage(page);
  }
});

test('the QR code of the result leads anyone to 文书真实有效', async () => {
  assert.ok(number, 'the first journey filed a case');
  const page = await newPage(browser, PHONE);
  try {
    await signIn(page, 'user01');
    await page.goto(`/cases/${number}`);
    await submit(page, page.locator('[data-testid=documents] a', { hasText: '准予行政许可决定书' }));
    // A phone scanning the paper needs the full address, and a person typing it the code.
    const href = await page.locator('[data-testid=qr] a').getAttribute('href');
    assert.ok(href.startsWith(`${BASE_URL}/verify/`), href);
    assert.equal(await page.locator('[data-testid=verify-href]').innerText(), href);
    const code = (await page.locator('[data-testid=verify-code]').innerText()).trim();
    assert.match(code, /^[A-Z0-9]{10}$/);
    assert.ok(href.endsWith(`code=${code}`), href);
    await signOut(page);
    // A stranger scans it: no sign-in needed.
    await page.goto(href);
    assert.equal((await page.locator('[data-testid=verdict]').innerText()).trim(), '文书真实有效');
    assert.match(await page.locator('[data-testid=verified]').innerText(), new RegExp(number));
    await screenshot(page, 'verify-phone.png');
    // Progress by the phone's last four digits (user01: 13936120001).
    await page.goto('/track');
    await page.fill('input[name=number]', number);
    await page.fill('input[name=tail]', '0001');
    await submit(page, page.locator('form[action="/track"] button'));
    assert.equal((await page.locator('[data-testid=tracked] [data-testid=status]').innerText()).trim(), '已办结');
    assertNoServerErrors(page);
  } finally {
    await closePage(page);
  }
});

test('a window refusal with its reason reaches supervision', async () => {
  const page = await newPage(browser);
  try {
    await signIn(page, 'zrzy.clerk');
    await page.goto('/workbench');
    await submit(page, page.locator('a', { hasText: '窗口收件' }));
    await page.fill('input[name=q]', ITEM);
    await submit(page, page.locator('form[action="/cases/new"] button'));
    const form = page.locator('[data-testid=apply-form]');
    await form.locator('input[name=name]').fill('周小川');
    await form.locator('input[name=id_code]').fill(validIdNumber());
    await form.locator('input[name=phone]').fill('13800138000');
    await form.locator('input[name=commit]').check();
    await form.locator('input[name=m_m1]').setInputFiles(pdf('申请书.pdf'));
    await submit(page, form.locator('button[type=submit]'));
    assert.match(pathOf(page), /^\/cases\//);
    const refused = (await page.locator('[data-testid=case-number]').innerText()).trim();
    await page.locator('summary', { hasText: '不予受理' }).click();
    const reasonText = '该不动产已被司法查封，依法不予办理转移登记';
    await page.locator('form[data-action=not_accept] textarea[name=reason]').fill(reasonText);
    await submit(page, page.locator('form[data-action=not_accept] button[type=submit]'));
    assert.equal(await statusOf(page), '不予受理');
    await signOut(page);

    await signIn(page, 'jiancha');
    await page.goto('/workbench');
    const filings = page.locator('[data-testid=negative-filings]');
    const text = await filings.innerText();
    assert.match(text, new RegExp(refused));
    assert.ok(text.includes(reasonText), `the reason is filed: ${text}`);
    await screenshot(page, 'supervisor-negative-filings.png');
    assertNoServerErrors(page);
  } finally {
    await closePage(page);
  }
});

test('another applicant opening the case gets the not-found page', async () => {
  assert.ok(number, 'the first journey filed a case');
  const page = await newPage(browser);
  try {
    await signIn(page, 'user02');
    const resp = await page.goto(`/cases/${number}`);
    assert.equal(resp.status(), 404);
    const body = await page.locator('main').innerText();
    assert.match(body, /未找到该办件/);
    assert.ok(!body.includes('转移登记'), 'nothing of the case shows');
    assertNoServerErrors(page);
  } finally {
    await closePage(page);
  }
});
