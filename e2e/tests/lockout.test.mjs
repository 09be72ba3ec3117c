// Five wrong passwords lock an applicant; an administrator unlocks the account.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launchBrowser, closeBrowser, newPage, closePage, signIn, signOut, pathOf,
  screenshot, assertNoServerErrors,
} from './lib.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await closeBrowser(browser); });

const userRow = (page) => page.locator('table tbody tr').filter({
  has: page.locator('td:first-child', { hasText: /^user05$/ }),
});

test('user05 is locked after five wrong passwords, unlocked by admin, then signs in', async () => {
  const applicant = await newPage(browser);
  const admin = await newPage(browser);
  try {
    const messages = [];
    for (let i = 1; i <= 6; i++) {
      await signIn(applicant, 'user05', `Wrong#${i}pass`);
      assert.equal(pathOf(applicant), '/login', `attempt ${i} stays on login`);
      messages.push((await applicant.locator('p.error[role=alert]').innerText()).trim());
    }
    // Every failure answers alike, locked or not: the answer never tells that an account
    // exists or is locked; it says that repeated failures lock.
    assert.ok(messages.every((m) => m === messages[0]), `answers differ: ${messages.join(' / ')}`);
    assert.match(messages[5], /锁定/);
    await screenshot(applicant, 'lockout-locked.png');

    // The right password does not get through while locked.
    await signIn(applicant, 'user05');
    assert.equal(pathOf(applicant), '/login');
    assert.match(await applicant.locator('p.error[role=alert]').innerText(), /锁定/);

    await signIn(admin, 'admin');
    assert.equal(pathOf(admin), '/workbench');
    const resp = await admin.goto('/admin/applicants');
    assert.equal(resp.status(), 200);
    const row = userRow(admin);
    assert.equal(await row.count(), 1);
    assert.match(await row.innerText(), /已锁定/);
    // Only locked accounts offer 解锁.
    assert.equal(await admin.getByRole('button', { name: '解锁' }).count(), 1);
    await Promise.all([
      admin.waitForNavigation({ waitUntil: 'load' }),
      row.getByRole('button', { name: '解锁' }).click(),
    ]);
    await admin.goto('/admin/applicants');
    assert.doesNotMatch(await userRow(admin).innerText(), /已锁定/);
    assert.equal(await userRow(admin).getByRole('button', { name: '解锁' }).count(), 0);
    await signOut(admin);

    await signIn(applicant, 'user05');
    assert.equal(pathOf(applicant), '/me');
    assert.equal((await applicant.locator('[data-testid=my-name]').innerText()).trim(), '杨子轩');
    assertNoServerErrors(applicant);
    assertNoServerErrors(admin);
  } finally {
    await closePage(applicant);
    await closePage(admin);
  }
});
