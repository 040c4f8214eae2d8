// Sync with head office against real parts: a throwaway PostgreSQL cluster,
// a real `loket-hq serve` with a branch enrolled by `loket-hq branch add`,
// and a desk of its own (`loket serve` on its own data directory, so the
// shared e2e server never has sync set up). In the desk's UI: the settings
// form (a plain-http address refused beside its field, the token masked
// once saved), "Sinkronkan sekarang" with its progress bar and counts, the
// header saying synced; head office's refusal of a change, marked resolved;
// a wrong token refused in words, in the header too.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import type { Page } from '@playwright/test';
import type { OpInput, OpName, OpOutput } from '../src/api/ops';
import { startDesk, startHeadOffice, type Branch, type Desk, type HeadOffice } from './headOffice';
import { appNow, expect, login, noRawJson, snap, test, uniquePhone } from './helpers';

test.describe.configure({ mode: 'serial' });

let hq: HeadOffice;
let desk: Desk;
let branch: Branch;
let deskToken: string | null = null;

/** An operation on this spec's desk (seeding, reading what the UI should show). */
async function deskApi<N extends OpName>(name: N, input: OpInput<N>): Promise<OpOutput<N>> {
  if (!deskToken) {
    const res = await fetch(`${desk.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: desk.password }),
    });
    deskToken = ((await res.json()) as { token: string }).token;
  }
  const res = await fetch(`${desk.url}/api/v1/ops/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${deskToken}` },
    body: JSON.stringify(input),
  });
  const body = await res.json();
  if (!res.ok) throw new Error(`${name}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

const sqlite3 = spawnSync('sqlite3', ['-version'], { encoding: 'utf8' }).status === 0;

test.beforeAll(async () => {
  test.setTimeout(90_000);
  hq = await startHeadOffice();
  branch = hq.enrol('Cabang Bandung E2E');
  // the desk's clock is the shared server's (the page's clock follows it too)
  desk = await startDesk(new Date(appNow()));
});

test.afterAll(async () => {
  await desk?.stop();
  await hq?.stop();
});

async function openSyncSettings(page: Page) {
  await page.goto(`${desk.url}/#/settings/sync`);
  await expect(page.getByRole('heading', { name: 'Pengaturan sinkronisasi', level: 1 })).toBeVisible();
}

async function openSync(page: Page) {
  await page.getByRole('link', { name: 'Sinkronisasi', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Sinkronisasi dengan kantor pusat', level: 1 })).toBeVisible();
}

test('sync settings: a plain-http address is refused beside its field; saved with the branch token, which then shows masked', async ({
  page,
}) => {
  await login(page, 'admin', desk.password, desk.url);
  // not set up yet: the header only offers the admin a quiet link to the settings
  const indicator = page.getByTestId('sync-indicator');
  await expect(indicator).toHaveText('Atur sinkronisasi');
  await indicator.click();
  await expect(page.getByRole('heading', { name: 'Pengaturan sinkronisasi', level: 1 })).toBeVisible();
  await expect(page.locator('[data-field="token"] .field-hint')).toContainText('Belum ada token');

  await page.getByLabel('Alamat kantor pusat').fill('http://hq.example.com');
  await page.getByLabel('Token cabang').fill(branch.token);
  await page.getByLabel('Sinkronkan setiap (menit)').fill('0');
  await page.getByRole('button', { name: 'Simpan' }).click();

  // the core refuses plain http to another machine (422, field hq_url): beside the field, focused
  const url = page.locator('[data-field="hq_url"]');
  await expect(url.locator('.field-error')).toHaveText(
    'Alamat kantor pusat harus https:// (http:// biasa hanya untuk kantor pusat di komputer ini).',
  );
  await expect(url.locator('input')).toHaveAttribute('aria-invalid', 'true');
  await expect(url.locator('input')).toBeFocused();
  await noRawJson(page);
  await snap(page, 'sync-settings-url-error');

  // head office on this machine: plain http is fine; Enter saves
  await url.locator('input').fill(hq.url);
  await page.keyboard.press('Enter');
  await expect(page.getByText('Pengaturan sinkronisasi tersimpan.')).toBeVisible();
  await expect(url.locator('.field-error')).toHaveCount(0);
  // write-only: the field is empty again and the stored token is shown masked
  await expect(page.getByLabel('Token cabang')).toHaveValue('');
  await expect(page.locator('[data-field="token"] .field-hint')).toHaveText(
    `Tersimpan: ••••${branch.token.slice(-4)}. Kosongkan untuk tetap memakainya.`,
  );
  expect(JSON.stringify(await deskApi('sync.settings.get', {}))).not.toContain(branch.token);

  // the header now speaks of sync: never synced, changes waiting
  await expect(page.getByTestId('sync-when')).toHaveText('Belum pernah disinkronkan');
  await expect(page.getByTestId('sync-pending')).toContainText('perubahan menunggu');
});

test('sync now: a progress bar, then the changes sent to head office; the header says synced', async ({ page }) => {
  const name = `Sari Sinkron ${uniquePhone().slice(-4)}`;
  await deskApi('customers.create', { name, phone: uniquePhone() });
  await login(page, 'admin', desk.password, desk.url);
  await openSync(page);
  await expect(page.getByText('Cabang ini di kantor pusat')).toBeVisible();
  const pending = Number(await page.getByTestId('sync-pending-count').textContent());
  expect(pending).toBeGreaterThan(0);
  await expect(page.getByTestId('sync-pending')).toContainText(`${pending} perubahan menunggu`);

  // hold the request a moment so the progress bar can be seen
  await page.route('**/api/v1/ops/sync.run', async (route) => {
    await new Promise((r) => setTimeout(r, 1_000));
    await route.continue();
  });
  await page.getByRole('button', { name: /Sinkronkan sekarang/ }).click();
  await expect(page.getByRole('progressbar', { name: 'Sinkronisasi berjalan' })).toBeVisible();
  await expect(page.getByTestId('sync-progress')).toContainText(`Mengirim ${pending} perubahan ke kantor pusat`);
  await expect(page.getByTestId('sync-when')).toHaveText('Menyinkronkan…');

  const result = page.getByTestId('sync-result');
  await expect(result).toContainText('Sinkronisasi selesai dalam');
  await expect(page.getByTestId('sync-pushed')).toHaveText(String(pending));
  await expect(page.getByTestId('sync-pulled')).toHaveText('0');
  await expect(page.getByTestId('sync-rejected')).toHaveText('0');
  await expect(page.getByRole('progressbar')).toHaveCount(0);
  // the header: synced just now, nothing waiting; head office named this branch
  await expect(page.getByTestId('sync-when')).toHaveText('Disinkronkan baru saja');
  await expect(page.getByTestId('sync-pending')).toHaveCount(0);
  await expect(page.getByTestId('sync-pending-count')).toHaveText('0');
  await expect(page.locator('.sync-status')).toContainText('Cabang Bandung E2E');
  await expect(page.getByTestId('sync-rejections')).toHaveCount(0);
  await expect(page.getByText('Tidak ada yang ditolak kantor pusat.')).toBeVisible();
  await snap(page, 'sync-done');

  // head office really has the customer made at this desk
  expect(
    hq.sql(`SELECT count(*) FROM branch_rows WHERE entity = 'customer' AND data->>'name' = '${name}'`),
  ).toBe('1');

  // the indicator is on every screen
  await page.getByRole('link', { name: 'Pelanggan' }).click();
  await expect(page.getByTestId('sync-when')).toHaveText('Disinkronkan baru saja');
});

test('a change head office refuses is listed with its reason and time, and marked resolved', async ({ page }) => {
  if (!sqlite3) {
    throw new Error('this test writes a change head office refuses with the sqlite3 shell, which is missing: apt-get install sqlite3');
  }
  // A change whose row is not a JSON object: head office keeps it as refused
  // (the desk's own operations never write one; this stands in for a row
  // head office's rules turn down).
  const db = path.join(desk.dataDir, 'loket.db');
  const at = new Date(appNow()).toISOString();
  const insert = spawnSync(
    'sqlite3',
    [db, '.timeout 5000', `INSERT INTO change_log (entity, entity_id, op, snapshot, at) VALUES ('booking', 'e2e-refused-1', 'insert', '"not a row"', '${at}')`],
    { encoding: 'utf8' },
  );
  expect(insert.status, insert.stderr).toBe(0);

  await login(page, 'admin', desk.password, desk.url);
  await openSync(page);
  await page.getByRole('button', { name: /Sinkronkan sekarang/ }).click();
  await expect(page.getByTestId('sync-rejected')).toHaveText('1');
  await expect(page.getByTestId('sync-result')).toHaveClass(/banner-warn/);

  const row = page.getByTestId('sync-rejections').locator('tbody tr', { hasText: 'e2e-refused-1' });
  await expect(row).toContainText('Booking');
  await expect(row).toContainText('Isi data tidak terbaca (bukan objek JSON).');
  await expect(row.locator('td').nth(3)).not.toHaveText('—');
  await snap(page, 'sync-rejection');
  await row.getByRole('button', { name: /Tandai selesai/ }).click();
  await expect(page.getByText(/Perubahan \d+ ditandai selesai\./)).toBeVisible();
  await expect(row).toContainText('Diselesaikan');
  await expect(row.getByRole('button', { name: /Tandai selesai/ })).toHaveCount(0);
  const listed = await deskApi('sync.rejections', {});
  expect(listed.data.find((r) => r.entity_id === 'e2e-refused-1')?.resolved_at).toBeTruthy();
});

test('a sync already running: a second one is refused in words, the header says syncing, then synced once head office answers', async ({
  page,
}) => {
  await login(page, 'admin', desk.password, desk.url);
  await openSync(page);
  await expect(page.getByTestId('sync-when')).toHaveText('Disinkronkan baru saja');
  // head office stalls: a run started elsewhere (another tab, the schedule) waits on it
  hq.pause();
  let other: Promise<unknown> | null = null;
  try {
    other = deskApi('sync.run', {}).catch((e) => e);
    await expect.poll(async () => (await deskApi('sync.status', {})).running).toBe(true);
    await page.getByRole('button', { name: /Sinkronkan sekarang/ }).click();
    await expect(page.getByTestId('sync-run-error')).toHaveText('Sinkronisasi dengan kantor pusat sedang berjalan; tunggu sampai selesai.');
    await expect(page.getByTestId('sync-when')).toHaveText('Menyinkronkan…');
    await expect(page.getByRole('button', { name: /Menyinkronkan/ })).toBeDisabled();
    await expect(page.getByRole('progressbar', { name: 'Sinkronisasi berjalan' })).toBeVisible();
    await snap(page, 'sync-already-running');
  } finally {
    hq.resume();
  }
  expect(await other).toMatchObject({ pushed: expect.any(Number) });
  // the next look at the status (every 30 s; here a minute on) says synced
  await page.clock.fastForward(31_000);
  await expect(page.getByTestId('sync-when')).toHaveText('Disinkronkan baru saja');
  await expect(page.getByRole('button', { name: /Sinkronkan sekarang/ })).toBeEnabled();
});

test('roles: front desk sees the status but may not sync or configure; a manager may sync now', async ({ page }) => {
  await deskApi('users.create', { username: 'desk-sync', password: 'desk-sync-password', role: 'front_desk' });
  await deskApi('users.create', { username: 'manager-sync', password: 'manager-sync-password', role: 'manager' });

  await login(page, 'desk-sync', 'desk-sync-password', desk.url);
  await expect(page.getByTestId('sync-when')).toHaveText(/^Disinkronkan /);
  await openSync(page);
  await expect(page.getByTestId('sync-last-success')).not.toHaveText('belum pernah');
  await expect(page.getByRole('button', { name: /Sinkronkan sekarang/ })).toHaveCount(0);
  await expect(page.getByRole('link', { name: /Pengaturan sinkronisasi/ })).toHaveCount(0);
  await page.goto(`${desk.url}/#/settings/sync`);
  await expect(page.getByText('Peran Anda tidak boleh membuka layar ini.')).toBeVisible();

  await page.getByRole('button', { name: 'Keluar' }).click();
  await login(page, 'manager-sync', 'manager-sync-password', desk.url);
  await openSync(page);
  await expect(page.getByRole('link', { name: /Pengaturan sinkronisasi/ })).toHaveCount(0);
  await page.getByRole('button', { name: /Sinkronkan sekarang/ }).click();
  await expect(page.getByTestId('sync-result')).toContainText('Sinkronisasi selesai');
});

test('a wrong token: head office refuses it, said in words on the sync screen and in the header (Indonesian and English)', async ({
  page,
}) => {
  await login(page, 'admin', desk.password, desk.url);
  await openSyncSettings(page);
  await page.getByLabel('Token cabang').fill('token-yang-salah');
  await page.getByRole('button', { name: 'Simpan' }).click();
  await expect(page.getByText('Pengaturan sinkronisasi tersimpan.')).toBeVisible();

  await page.getByRole('link', { name: /Kembali ke sinkronisasi/ }).click();
  await page.getByRole('button', { name: /Sinkronkan sekarang/ }).click();
  const refused = 'Kantor pusat menolak token cabang ini (salah atau sudah dicabut).';
  await expect(page.getByTestId('sync-run-error')).toContainText(refused);
  await expect(page.getByTestId('sync-run-error')).toContainText('Minta token baru ke kantor pusat');
  await expect(page.getByTestId('sync-result')).toHaveCount(0);
  await expect(page.getByTestId('sync-last-error')).toContainText(refused);
  await expect(page.getByTestId('sync-when')).toHaveText('Sinkronisasi gagal baru saja');
  await expect(page.getByTestId('sync-error')).toContainText(refused);
  await noRawJson(page);
  await snap(page, 'sync-token-refused');

  await page.getByTestId('language').selectOption('en');
  await expect(page.getByTestId('sync-when')).toHaveText('Sync failed just now');
  await expect(page.getByTestId('sync-error')).toContainText("Head office refused this branch's token (wrong or revoked)");
  await expect(page.getByRole('button', { name: /Sync now/ })).toBeVisible();
});
