// The staff screen against the real `loket serve`: create (a refused e-mail
// next to its field), list, search, edit, deactivate and the active filter;
// a stale edit as a readable sentence; no delete (staff stay on the bookings
// that name them); and a front-desk user who may only read the list.
import { api, baseURL, expect, login, noRawJson, snap, test, uniquePhone } from './helpers';

/** A name no other test uses. */
function uniqueName(first: string): string {
  return `${first} ${uniquePhone().slice(-5)}`;
}

test('staff: create one (the e-mail refused next to its field), find it, edit the short code, deactivate it and filter', async ({
  page,
}) => {
  const name = uniqueName('Rina Marlina');
  const phone = uniquePhone();
  await login(page);
  await page.getByRole('link', { name: 'Staf', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Staf', level: 1 })).toBeVisible();
  await page.getByRole('button', { name: '+ Staf baru' }).click();
  const dialog = page.getByRole('dialog', { name: 'Staf baru' });
  const nameInput = dialog.getByLabel('Nama', { exact: true });
  await expect(nameInput).toBeFocused();
  await nameInput.fill(name);
  await dialog.getByLabel('Kode singkat').fill('Sales A');
  await dialog.getByLabel('Telepon').fill(phone);
  await dialog.getByLabel('E-mail').fill('rina@e2e');
  await dialog.getByLabel('Status kepegawaian').selectOption({ label: 'Kontrak' });
  await dialog.getByRole('button', { name: 'Simpan' }).click();

  // the core refuses the address (422, field email): its message next to the field, focused
  const email = dialog.locator('[data-field="email"]');
  await expect(email.locator('.field-error')).toHaveText('E-mail bukan alamat e-mail yang valid.');
  await expect(email.locator('input')).toHaveAttribute('aria-invalid', 'true');
  await expect(email.locator('input')).toBeFocused();
  await noRawJson(page);
  await snap(page, 'staff-email-error');

  // corrected, Enter saves
  await email.locator('input').fill('rina.marlina@example.com');
  await expect(email.locator('.field-error')).toHaveCount(0);
  await page.keyboard.press('Enter');
  await expect(dialog).toHaveCount(0);
  const saved = (await api('staff.list', { q: name })).data;
  expect(saved).toHaveLength(1);
  const code = saved[0].staff_code;
  expect(code).toMatch(/^ST-\d+$/);
  expect(saved[0]).toMatchObject({ short_code: 'Sales A', email: 'rina.marlina@example.com', employment_status: 'contract', active: true });
  await expect(page.getByText(`Staf ${code} (${name}) ditambahkan.`)).toBeVisible();

  // listed with every column, the employment status in words
  const row = page.locator(`tr[data-staff="${code}"]`);
  await expect(row).toContainText(name);
  await expect(row).toContainText('Sales A');
  await expect(row).toContainText(`${phone.slice(0, 4)}-${phone.slice(4, 8)}-${phone.slice(8)}`);
  await expect(row).toContainText('rina.marlina@example.com');
  await expect(row).toContainText('Kontrak');
  await expect(row.locator('.badge')).toHaveText('Aktif');

  // the search: by name, then by staff code
  const search = page.locator('input[data-search]');
  await search.fill(name);
  await expect(page.locator('tr[data-staff]')).toHaveCount(1);
  await expect(row).toBeVisible();
  await search.fill(code);
  await expect(page.locator('tr[data-staff]')).toHaveCount(1);
  await expect(row).toBeVisible();
  await search.fill(`${name} tidak ada`);
  await expect(page.getByText('Tidak ada staf yang cocok.')).toBeVisible();
  await search.fill(name);
  await expect(row).toBeVisible();
  await snap(page, 'staff-list');

  // edit: the code is fixed, focus in the name; Esc closes without saving
  await row.getByRole('button', { name: '✎ Ubah' }).click();
  const edit = page.getByRole('dialog', { name: `Ubah staf ${code}` });
  await expect(edit.getByLabel('Nama', { exact: true })).toBeFocused();
  await expect(edit.getByLabel('Kode staf')).toHaveValue(code);
  await expect(edit.getByLabel('Kode staf')).toHaveAttribute('readonly', '');
  await edit.getByLabel('Kode singkat').fill('Nope');
  await page.keyboard.press('Escape');
  await expect(edit).toHaveCount(0);
  await expect(row).toContainText('Sales A');

  await row.getByRole('button', { name: '✎ Ubah' }).click();
  await edit.getByLabel('Kode singkat').fill('Sales B');
  await page.keyboard.press('Enter');
  await expect(edit).toHaveCount(0);
  await expect(page.getByText(`Staf ${code} (${name}) tersimpan.`)).toBeVisible();
  await expect(row).toContainText('Sales B');
  // and found by the new short code
  expect((await api('staff.list', { q: 'Sales B' })).data.map((s) => s.staff_code)).toContain(code);
  expect((await api('staff.get', { id: saved[0].id })).short_code).toBe('Sales B');

  // deactivate: gone from the active staff, shown under inactive and all
  await row.getByRole('button', { name: 'Nonaktifkan' }).click();
  await expect(page.getByText(`${name} dinonaktifkan.`)).toBeVisible();
  await expect(row).toHaveCount(0);
  await expect(page.getByText('Tidak ada staf yang cocok.')).toBeVisible();
  expect((await api('staff.get', { id: saved[0].id })).active).toBe(false);
  const show = page.getByLabel('Tampilkan');
  await show.selectOption({ label: 'Staf nonaktif' });
  await expect(row).toBeVisible();
  await expect(row.locator('.badge')).toHaveText('Nonaktif');
  await expect(row).toHaveClass(/off/);
  await show.selectOption({ label: 'Semua staf' });
  await expect(row).toBeVisible();
  await snap(page, 'staff-inactive');
  // and back
  await row.getByRole('button', { name: 'Aktifkan' }).click();
  await expect(page.getByText(`${name} diaktifkan.`)).toBeVisible();
  await expect(row.locator('.badge')).toHaveText('Aktif');
  await show.selectOption({ label: 'Staf nonaktif' });
  await expect(row).toHaveCount(0);
  await noRawJson(page);
});

test('staff: a stale edit reads as a sentence; there is no delete, only deactivate', async ({ page }) => {
  const name = uniqueName('Budi Hartono');
  const s = await api('staff.create', { name, short_code: 'Front 1', employment_status: 'freelance' });
  await login(page);
  await page.goto(`${baseURL()}/#/staff?q=${encodeURIComponent(name)}`);
  await expect(page.locator('input[data-search]')).toHaveValue(name);
  const row = page.locator(`tr[data-staff="${s.staff_code}"]`);
  await expect(row).toContainText('Lepas (freelance)');

  // another desk changes the record while the form is open: 409, one readable sentence above the form
  await row.getByRole('button', { name: '✎ Ubah' }).click();
  const edit = page.getByRole('dialog', { name: `Ubah staf ${s.staff_code}` });
  await api('staff.update', { id: s.id, short_code: 'Front 2' });
  await edit.getByLabel('Kode singkat').fill('Front 3');
  await edit.getByRole('button', { name: 'Simpan' }).click();
  await expect(edit.locator('.banner-error')).toHaveText(
    'Data ini sudah diubah orang lain sejak Anda membukanya. Muat ulang lalu coba lagi.',
  );
  await noRawJson(page);
  await page.keyboard.press('Escape');
  await expect(edit).toHaveCount(0);
  expect((await api('staff.get', { id: s.id })).short_code).toBe('Front 2');

  // no delete: staff stay on the bookings that name them; deactivating is the way out
  await expect(row.getByRole('button', { name: 'Hapus' })).toHaveCount(0);
});

test('staff: a front-desk user sees the list read-only', async ({ page }) => {
  const name = uniqueName('Sari Wulandari');
  const s = await api('staff.create', { name, short_code: 'Sales C', phone: uniquePhone(), employment_status: 'permanent' });
  await api('users.create', { username: 'staff-desk-e2e', password: 'staff-desk-e2e-password', role: 'front_desk' });
  await login(page, 'staff-desk-e2e', 'staff-desk-e2e-password');
  await expect(page.getByTestId('who')).toContainText('Resepsionis');
  await page.getByRole('link', { name: 'Staf', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Staf', level: 1 })).toBeVisible();
  await expect(page.getByText('hanya baca untuk peran Anda')).toBeVisible();
  await page.locator('input[data-search]').fill(name);
  const row = page.locator(`tr[data-staff="${s.staff_code}"]`);
  await expect(page.locator('tr[data-staff]')).toHaveCount(1);
  await expect(row).toContainText('Sales C');
  await expect(row).toContainText('Tetap');
  // nothing to change
  await expect(page.getByRole('button', { name: '+ Staf baru' })).toHaveCount(0);
  await expect(page.getByRole('columnheader', { name: 'Aksi' })).toHaveCount(0);
  await expect(row.getByRole('button')).toHaveCount(0);
  await expect(page.getByRole('button', { name: /Ubah|Nonaktifkan|Aktifkan|Hapus/ })).toHaveCount(0);
  await snap(page, 'staff-read-only');

  // the same screen in English
  await page.getByTestId('language').selectOption('en');
  await expect(page.getByRole('heading', { name: 'Staff', level: 1 })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Staff', exact: true })).toBeVisible();
  await expect(row).toContainText('Permanent');
  await expect(page.getByText('read only for your role')).toBeVisible();
  await expect(page.getByRole('columnheader', { name: 'Employment status' })).toBeVisible();
});
