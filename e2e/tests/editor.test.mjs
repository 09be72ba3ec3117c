// The item editor (issue 17 item 18): a department head edits an item as a form, element by
// element in Chinese, adds a row of materials, sees a rule's message beside its field, and the
// guide's preview beside the form updates from the server. Desktop and phone (390 px).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launchBrowser, closeBrowser, newPage, closePage, signIn, screenshot, assertNoServerErrors, PHONE,
} from './lib.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await closeBrowser(browser); });

async function submit(page, button) {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), button.click()]);
}

test('a department head edits an item as a form with rows, messages beside fields and a live preview', async () => {
  const page = await newPage(browser);
  const phone = await newPage(browser, PHONE);
  try {
    await signIn(page, 'scjg.head');
    await page.goto('/catalog/new');
    const form = page.locator('[data-testid=item-editor]');
    // Chinese labels, no raw JSON keys as the way in.
    assert.match(await form.innerText(), /申请材料[\s\S]*材料名称[\s\S]*办理环节[\s\S]*承办岗位/);
    const materials = await form.locator('fieldset[data-row^="materials["]').count();
    assert.ok(materials > 0);

    // The preview frame shows the guide the form describes, rendered by the server.
    const frame = page.frameLocator('iframe[name=guide-preview]');
    await frame.locator('h1').first().waitFor();
    await form.locator('input[name=name]').fill('编辑器预览事项');
    await form.locator('input[name=name]').dispatchEvent('change');
    await frame.locator('h1', { hasText: '编辑器预览事项' }).waitFor();

    // A row more.
    await submit(page, form.locator('[data-testid=add-materials]'));
    assert.equal(await form.locator('fieldset[data-row^="materials["]').count(), materials + 1);
    assert.equal(await form.locator('input[name=name]').inputValue(), '编辑器预览事项', 'typed values kept');

    // The new row is dropped again (删除此材料); a committed limit beyond the statutory one
    // is refused, the rule's message beside the field.
    await form.locator(`input[name="materials[${materials}].remove"]`).check();
    await form.locator('input[name=committed_limit_days]').fill('999');
    await submit(page, form.locator('[data-testid=editor-save]'));
    const beside = form.locator('[data-error-for=committed_limit_days]');
    assert.match(await beside.innerText(), /承诺时限/);
    assert.match(await page.locator('[data-testid=editor-error]').innerText(), /未保存/);
    assert.equal(await form.locator('fieldset[data-row^="materials["]').count(), materials, 'the row is gone');
    await screenshot(page, 'staff-editor.png');

    // JSON stays for bulk work.
    assert.equal(await page.locator('[data-testid=json-box] textarea[name=document]').count(), 1);

    await signIn(phone, 'scjg.head');
    await phone.goto('/catalog/new');
    const [scroll, client] = await phone.evaluate(() => [
      document.documentElement.scrollWidth, document.documentElement.clientWidth,
    ]);
    assert.ok(scroll <= client + 1, `page ${scroll}px wide on a ${client}px screen`);
    await screenshot(phone, 'staff-editor-phone.png', { fullPage: false });
    assertNoServerErrors(page);
    assertNoServerErrors(phone);
  } finally {
    await closePage(page);
    await closePage(phone);
  }
});
