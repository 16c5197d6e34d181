// A household registers itself in Dari (right to left) and in English, then
// comes back with its case reference and access code: in real Chromium,
// without any script on the page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startMuster } from './server.mjs';

let muster, browser, base;

before(async () => {
  muster = await startMuster();
  ({ browser, base } = muster);
});

after(async () => {
  await muster?.stop();
});

/** Comes back with reference and code; returns the status page's status text. */
async function comeBack(page, lang, reference, code) {
  await page.goto(`${base}/register/status?lang=${lang}`);
  await page.locator('#reference').fill(reference);
  await page.locator('#access_code').fill(code.toLowerCase());
  await page.locator('form.narrow-form button[type=submit]').click();
  await page.locator('#status').waitFor();
  assert.equal(await page.locator('#reference').innerText(), reference);
  return page.locator('#status').innerText();
}

test('a household registers in Dari, right to left, and comes back with its code', async () => {
  const context = await browser.newContext({ locale: 'fa-AF', javaScriptEnabled: false, viewport: { width: 400, height: 850 } });
  const page = await context.newPage();
  await page.goto(`${base}/register`);
  // Chosen by the browser's language; the whole layout mirrors.
  assert.equal(await page.locator('html').getAttribute('lang'), 'fa');
  assert.equal(await page.locator('html').getAttribute('dir'), 'rtl');
  assert.equal(await page.evaluate(() => getComputedStyle(document.querySelector('form.register')).direction), 'rtl');
  const width = page.viewportSize().width;
  const brand = await page.locator('.brand').boundingBox();
  assert.ok(brand.x > width / 2, 'the header starts at the right edge');
  const label = await page.getByText('نام پدر').first().boundingBox();
  const input = await page.locator('[name="members[0].father_name"]').boundingBox();
  assert.ok(label.x + label.width > input.x + input.width - 2, 'labels sit at the right');

  await page.locator('[name="members[0].full_name_native"]').fill('محمد نبی احمدزی');
  await page.locator('[name="members[0].date_of_birth"]').fill('۱۳۶۰/۰۵/۱۲');
  await page.locator('[name="members[0].sex"]').selectOption('male');
  await page.locator('[name="members[0].tazkira_number"]').fill('1390-0101-12345');
  // A mistake first: the answer names it next to the field, in Dari.
  await page.locator('[name="phone"]').fill('12');
  await page.locator('[name="members[1].relationship"]').selectOption('spouse');
  await page.locator('[name="members[1].full_name_native"]').fill('مریم احمدزی');
  await page.locator('form.register button[type=submit]:not([formaction])').click();
  await page.locator('[name="phone"][aria-invalid="true"]').waitFor();
  assert.match(await page.locator('[id="phone-error"]').innerText(), /شمارهٔ تلفن درست نیست/);
  assert.equal(await page.locator('[name="members[1].full_name_native"]').inputValue(), 'مریم احمدزی', 'nothing typed is lost');

  // Without script, another member slot comes from the server.
  await page.locator('[name="phone"]').fill('070 123 4567');
  await page.locator('button[formaction]').click();
  await page.locator('[name="members[2].full_name_native"]').waitFor();
  await page.locator('[name="members[2].relationship"]').selectOption('child');
  await page.locator('[name="members[2].full_name_native"]').fill('عمید احمدزی');
  await page.locator('[name="members[2].date_of_birth"]').fill('10');
  await page.locator('form.register button[type=submit]:not([formaction])').click();

  await page.locator('#access-code').waitFor();
  assert.equal(await page.locator('html').getAttribute('dir'), 'rtl');
  const reference = await page.locator('#reference').innerText();
  const code = await page.locator('#access-code').innerText();
  assert.match(reference, /^AF-\d{6}$/);
  assert.match(code, /^[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}$/);
  assert.match(await page.locator('main').innerText(), /۳|3/);

  const status = await comeBack(page, 'fa', reference, code);
  assert.match(status, /ثبت شده/);
  assert.equal(await page.locator('[name="members[2].full_name_native"]').inputValue(), 'عمید احمدزی');
  assert.equal(await page.locator('[name="members[0].date_of_birth"]').inputValue(), 'SH:1360/05/12');
  await context.close();
});

test('a household registers in English and corrects its details with the code', async () => {
  const context = await browser.newContext({ locale: 'en-GB', javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${base}/register`);
  assert.equal(await page.locator('html').getAttribute('dir'), 'ltr');
  await page.getByLabel('Given names').first().fill('Farid');
  await page.locator('[name="members[0].family_name"]').fill('Browserton');
  await page.locator('[name="members[0].date_of_birth"]').fill('21.03.1981');
  await page.locator('[name="members[0].nationality"]').fill('Afghanistan');
  await page.locator('[name="phone"]').fill('+93 70 765 4321');
  await page.locator('[name="province"]').selectOption('Balkh');
  await page.locator('[name="scheme"]').selectOption('DNK-LES');
  await page.getByRole('button', { name: 'Send registration' }).click();
  await page.locator('#access-code').waitFor({ timeout: 5000 }).catch(async (e) => {
    throw new Error(`no access code: ${await page.locator('main').innerText()}`);
  });
  assert.match(await page.locator('h1').innerText(), /registered/);
  const reference = await page.locator('#reference').innerText();
  const code = await page.locator('#access-code').innerText();

  // Switching language keeps the page and flips its direction.
  await page.getByRole('link', { name: 'پښتو' }).click();
  assert.equal(await page.locator('html').getAttribute('dir'), 'rtl');

  const status = await comeBack(page, 'en', reference, code);
  assert.match(status, /Registered/);
  await page.locator('[name="members[0].date_of_birth"]').fill('22.03.1981');
  await page.getByRole('button', { name: 'Save corrections' }).click();
  await page.getByText('Your corrections were saved.').waitFor();
  assert.equal(await page.locator('[name="members[0].date_of_birth"]').inputValue(), '1981-03-22');

  // A wrong code shows nothing of the registration.
  await page.goto(`${base}/register/status?lang=en`);
  await page.locator('#reference').fill(reference);
  await page.locator('#access_code').fill('AAAA-BBBB-CCCC');
  await page.getByRole('button', { name: 'Check' }).click();
  await page.getByText('not right').waitFor();
  assert.equal(await page.locator('#status').count(), 0);
  await context.close();
});
