// Journey of a 差评 (好差评): an applicant rates their decided case 不满意 on the case page; the
// supervisor sees it on the 差评 list and calls back; as the simulated clock moves the
// rectification's light turns yellow, then red; the rated department (教育局) verifies,
// rectifies and answers; the applicant rates again. Then a window is rated on the hall device
// at tablet and phone sizes, and the month's figures are public.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launchBrowser, closeBrowser, newPage, closePage, signIn, signOut, pathOf,
  screenshot, assertNoServerErrors, PHONE,
} from './lib.mjs';

const TABLET = { width: 1280, height: 800 };

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await closeBrowser(browser); });

async function submit(page, button) {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), button.click()]);
}

/** The rectification's light on its page: green, yellow or red. */
async function lightOf(page, number) {
  await page.goto(`/ratings/${number}`);
  return page.locator('[data-testid=rect-light]').getAttribute('data-light');
}

test('a 差评 is called back, turns yellow then red, is rectified and rated again', async () => {
  const user = await newPage(browser);
  const sup = await newPage(browser);
  const admin = await newPage(browser);
  const head = await newPage(browser);
  try {
    // The applicant finds the decided case and rates it 不满意.
    await signIn(user, 'user02');
    await user.goto('/me');
    const links = await user.locator('a[href^="/cases/"]').evaluateAll(
      (as) => [...new Set(as.map((a) => a.getAttribute('href')))]);
    let form = null;
    for (const href of links) {
      await user.goto(href);
      if (await user.locator('form[data-action=rate]').count()) { form = user.locator('form[data-action=rate]'); break; }
    }
    assert.ok(form, 'a decided case waiting for a rating');
    const caseUrl = pathOf(user);
    await form.locator('input[name=level][value=unsatisfied]').check();
    await form.locator('select[name=efficiency]').selectOption('very_unsatisfied');
    await form.locator('textarea[name=comment]').fill('补正材料没有一次告知，多跑了两趟');
    await submit(user, form.locator('button[type=submit]'));
    assert.equal(pathOf(user), caseUrl);
    assert.match(await user.locator('[data-testid=rating]').innerText(), /不满意/);
    assert.equal(await user.locator('form[data-action=rate]').count(), 0, 'rated once');
    const number = (await user.locator('[data-testid=rating] a').getAttribute('href')).split('/').pop();
    assert.match(number, /^PJ\d{8}$/);
    await screenshot(user, 'rating-case.png');

    // The supervisor sees it on the 差评 list and calls back.
    await signIn(sup, 'jiancha');
    await sup.goto('/ratings');
    const row = sup.locator(`tr[data-number="${number}"]`);
    await row.waitFor();
    assert.match(await row.innerText(), /待回访/);
    assert.equal(await lightOf(sup, number), 'green');
    assert.equal(await sup.locator('[data-testid=identity]').count(), 0, 'the rater is not shown unless asked (audited)');
    const callBack = sup.locator('form[data-action=call_back]');
    await callBack.locator('textarea[name=note]').fill('已电话回访，申请人反映补正未一次告知');
    await submit(sup, callBack.locator('button[type=submit]'));
    assert.equal(await sup.locator('[data-testid=stage]').getAttribute('data-stage'), 'verify');

    // The clock moves a day at a time: the rectification turns yellow, then red.
    await signIn(admin, 'admin');
    const seen = [];
    for (let day = 0; day < 35 && !seen.includes('red'); day++) {
      await admin.goto('/admin/clock');
      await admin.fill('input[name=days]', '1');
      await submit(admin, admin.locator('form[action="/admin/clock"] button[type=submit]'));
      await signIn(sup, 'jiancha');
      const light = await lightOf(sup, number);
      if (seen[seen.length - 1] !== light) seen.push(light);
    }
    assert.deepEqual(seen, ['green', 'yellow', 'red'].slice(3 - seen.length), `lights ${seen}`);
    assert.ok(seen.includes('yellow') && seen.includes('red'), `lights ${seen}`);
    await sup.goto('/ratings');
    assert.equal(await sup.locator(`tr[data-number="${number}"] [data-light]`).getAttribute('data-light'), 'red');
    await screenshot(sup, 'rating-red.png');

    // The department verifies, rectifies and answers the rater (never without feedback).
    await signIn(head, 'jyj.head');
    await head.goto(`/ratings/${number}`);
    const verify = head.locator('form[data-action=verify]');
    await verify.locator('select[name=verdict]').selectOption('founded');
    await verify.locator('textarea[name=note]').fill('窗口补正告知不完整，情况属实');
    await submit(head, verify.locator('button[type=submit]'));
    const close = head.locator('form[data-action=close]');
    await close.locator('textarea[name=measures]').fill('推行补正材料一次性告知清单');
    await submit(head, close.locator('button[type=submit]'));
    assert.equal(await head.locator('p.error').getAttribute('data-code'), 'rating.feedback');
    const again = head.locator('form[data-action=close]');
    await again.locator('textarea[name=measures]').fill('推行补正材料一次性告知清单');
    await again.locator('textarea[name=feedback]').fill('已整改：今后补正材料一次性告知，感谢您的监督');
    await submit(head, again.locator('button[type=submit]'));
    assert.equal(await head.locator('[data-testid=stage]').getAttribute('data-stage'), 'closed');

    // The applicant reads the feedback and rates again.
    await signIn(user, 'user02');
    await user.goto(`/ratings/${number}`);
    assert.match(await user.locator('[data-testid=feedback]').innerText(), /一次性告知/);
    await submit(user, user.locator('form[data-action=rerate] button[data-level=satisfied]'));
    assert.match(await user.locator('[data-testid=rerated]').innerText(), /满意/);
    assert.equal(await user.locator('form[data-action=rerate]').count(), 0);

    for (const p of [user, sup, admin, head]) assertNoServerErrors(p);
  } finally {
    for (const p of [user, sup, admin, head]) await closePage(p);
  }
});

test('a window is rated on the hall device at tablet and phone sizes, and the month is public', async () => {
  const clerk = await newPage(browser);
  try {
    await signIn(clerk, 'zrzy.clerk');
    const windows = await (await clerk.request.get('/api/v1/windows')).json();
    const mine = windows.find((w) => w.department_name === '清江市自然资源局');
    assert.ok(mine, 'a window of 自然资源局');
    const csrf = await clerk.locator('input[name=csrf]').first().getAttribute('value');
    const headers = { 'X-CSRF-Token': csrf, 'Content-Type': 'application/json' };
    for (const [viewport, name] of [[TABLET, 'tablet'], [PHONE, 'phone']]) {
      let r = await clerk.request.post(`/api/v1/windows/${mine.id}/duty`, { headers, data: {} });
      assert.equal(r.status(), 204);
      r = await clerk.request.post(`/api/v1/windows/${mine.id}/visits`, { headers, data: {} });
      assert.equal(r.status(), 201);
      const device = await newPage(browser, viewport);
      try {
        await device.goto(`/rate/window/${mine.id}`);
        assert.match(await device.locator('[data-testid=on-duty]').innerText(), /当前服务人员/);
        const faces = device.locator('.faces .face');
        assert.equal(await faces.count(), 5);
        const box = await faces.first().boundingBox();
        assert.ok(box.height >= 80 && box.width >= 80, `a face big enough to touch: ${JSON.stringify(box)}`);
        const width = await device.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(width <= viewport.width, `no sideways scrolling at ${name}: ${width}`);
        await screenshot(device, `rating-device-${name}.png`);
        await submit(device, device.locator('.faces button[data-level=very_satisfied]'));
        assert.match(await device.locator('[data-testid=thanks]').innerText(), /感谢您的评价/);
        assert.equal(await device.locator('[data-testid=device-form]').count(), 0, 'one rating per visit');
        assertNoServerErrors(device);
      } finally {
        await closePage(device);
      }
    }
    await signOut(clerk);
    await clerk.goto('/ratings/month');
    assert.ok(await clerk.locator('[data-testid=month] tbody tr').count() >= 1);
    assertNoServerErrors(clerk);
  } finally {
    await closePage(clerk);
  }
});
