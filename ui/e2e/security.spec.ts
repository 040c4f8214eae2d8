// Logging in under the security rules: a locked username is told how long
// to wait, in words; any user changes their own password (the current one
// first, no common password), and the new one is the one that works.
import { api, baseURL, expect, login, noRawJson, test } from './helpers';

test('five wrong passwords: the login screen says how long to wait, even for the right one', async ({ page }) => {
  await api('users.create', { username: 'lock-e2e', password: 'lock-e2e-password', role: 'sales' });
  await page.goto(`${baseURL()}/`);
  await page.getByLabel('Nama pengguna').fill('lock-e2e');
  // each try answered before the next, so all five count
  const attempt = async (password: string) => {
    await page.getByLabel('Kata sandi').fill(password);
    const answered = page.waitForResponse((r) => r.url().includes('/ops/auth.login'));
    await page.keyboard.press('Enter');
    return (await answered).status();
  };
  for (let i = 0; i < 5; i++) {
    expect(await attempt(`salah-sandi-${i}`)).toBe(401);
    await expect(page.getByRole('alert')).toHaveText('Nama pengguna atau kata sandi salah.');
  }
  expect(await attempt('lock-e2e-password')).toBe(429);
  await expect(page.getByRole('alert')).toHaveText(
    /^Terlalu banyak percobaan masuk yang gagal\. Coba lagi dalam \d+ detik\.$/,
  );
  await noRawJson(page);
});

test('change my password: the current one first, no common password, then the new one works', async ({ page }) => {
  await api('users.create', { username: 'pw-e2e', password: 'pw-e2e-password', role: 'front_desk' });
  await login(page, 'pw-e2e', 'pw-e2e-password');
  await page.getByRole('button', { name: 'Ganti kata sandi' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByLabel('Kata sandi saat ini')).toBeFocused();
  await dialog.getByLabel('Kata sandi saat ini').fill('bukan-sandinya');
  await dialog.getByLabel('Kata sandi baru', { exact: true }).fill('kuda-laut-biru');
  await dialog.getByLabel('Ulangi kata sandi baru').fill('kuda-laut-biru');
  await dialog.getByRole('button', { name: 'Simpan' }).click();
  await expect(dialog.locator('[data-field="current_password"]')).toContainText(
    'Kata sandi saat ini bukan kata sandi Anda saat ini.',
  );
  await dialog.getByLabel('Kata sandi saat ini').fill('pw-e2e-password');
  await dialog.getByLabel('Kata sandi baru', { exact: true }).fill('Password123');
  await dialog.getByLabel('Ulangi kata sandi baru').fill('Password123');
  await dialog.getByRole('button', { name: 'Simpan' }).click();
  await expect(dialog.locator('[data-field="new_password"]')).toContainText(
    'Kata sandi baru terlalu umum dan mudah ditebak; pilih yang lain.',
  );
  await dialog.getByLabel('Kata sandi baru', { exact: true }).fill('kuda-laut-biru');
  await dialog.getByLabel('Ulangi kata sandi baru').fill('kuda-laut-biru');
  await dialog.getByRole('button', { name: 'Simpan' }).click();
  await expect(page.getByText('Kata sandi diganti.')).toBeVisible();
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await page.getByRole('button', { name: 'Keluar' }).click();
  await login(page, 'pw-e2e', 'kuda-laut-biru');
});
