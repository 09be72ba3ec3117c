// Journey: an administrator uploads a catalog workbook with errors; every error is shown at
// its sheet, row and column, and the catalog is unchanged.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser, closeBrowser, newPage, signIn, screenshot } from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const FAULTY = path.resolve(here, '..', 'fixtures', 'import-with-errors.xlsx');

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await closeBrowser(browser); });

async function catalogCount(page) {
  const r = await page.request.get('/api/v1/items');
  return (await r.json()).length;
}

test('an import with errors shows each one where it is and changes nothing', async () => {
  const page = await newPage(browser);
  await signIn(page, 'admin');
  const before = await catalogCount(page);
  await page.goto('/catalog');
  const listed = await page.locator('[data-testid=items] tbody tr').count();

  await page.goto('/catalog/import');
  await page.setInputFiles('input[name=file]', FAULTY);
  await page.check('input[name=mode][value=apply]');
  await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: '上传' }).click()]);

  assert.match(await page.locator('[data-testid=import-error]').innerText(), /未写入任何内容/);
  const rows = await page.locator('[data-testid=import-errors] tbody tr').allInnerTexts();
  assert.ok(rows.some((r) => r.includes('事项!2:承诺时限')), `committed limit error located: ${rows}`);
  assert.ok(rows.some((r) => r.includes('环节!') && r.includes('办理部门') && r.includes('清江市不存在局')), `unknown department located: ${rows}`);
  await screenshot(page, 'import-errors.png');

  assert.equal(await catalogCount(page), before, 'the public catalog is unchanged');
  await page.goto('/catalog');
  assert.equal(await page.locator('[data-testid=items] tbody tr').count(), listed, 'no draft was written');
  await page.context().close();
});
