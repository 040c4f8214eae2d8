// Head office's web page against real parts: a throwaway PostgreSQL, a real
// `loket-hq serve` serving the built ui/dist-hq, and two real desks (`loket
// serve`, each with its own data directory) that make bookings through their
// API and sync them to head office; a third branch is enrolled but never
// syncs. In the page: a login (a wrong password in words, the security
// headers), Cabang with each branch's state, Booking across branches
// filtered by branch, Pelanggan found by phone in another spelling, and a
// Laporan with its chart and a CSV that downloads real CSV; WhatsApp, the
// bot's and the gateway's settings, for an hq_admin only; and the public
// booking page on a phone-sized screen, checked with axe-core.
import AxeBuilder from '@axe-core/playwright';
import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import type { OpInput, OpName, OpOutput } from '../src/api/ops';
import { startDesk, startHeadOffice, type Desk, type HeadOffice } from './headOffice';
import { appNow, expect, jakartaDate, noRawJson, snap, test, uniquePhone } from './helpers';

test.describe.configure({ mode: 'serial' });

const USER = 'pusat';
const PASSWORD = 'e2e-hq-viewer-password';
const BANDUNG = 'Cabang Bandung HQ';
const SURABAYA = 'Cabang Surabaya HQ';
const MEDAN = 'Cabang Medan HQ';

// Head office runs on the real clock (its push times are its own), so its
// page does too; with the desks' clock (10:00 in Jakarta today) a push made
// before 09:00 in Jakarta looked hours old, "late", to the page.
test.use({ appClock: false });

let hq: HeadOffice;
const desks: Desk[] = [];
/** The customer both desks know, by the phone number as the Bandung desk typed it. */
const shared = { name: `Rina Dua Cabang ${uniquePhone().slice(-4)}`, phone: uniquePhone() };

/** An operation on one of this spec's desks, as its admin. */
async function deskApi<N extends OpName>(desk: Desk, name: N, input: OpInput<N>): Promise<OpOutput<N>> {
  const login = await fetch(`${desk.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: desk.password }),
  });
  const { token } = (await login.json()) as { token: string };
  const res = await fetch(`${desk.url}/api/v1/ops/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(input),
  });
  const body = await res.json();
  if (!res.ok) throw new Error(`${name}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

/** A desk enrolled as branch `name`, with `bookings` made on it, synced to head office. */
async function branchDesk(name: string, bookings: OpInput<'bookings.create'>[]) {
  const branch = hq.enrol(name);
  const desk = await startDesk(new Date(appNow()));
  desks.push(desk);
  for (const b of bookings) await deskApi(desk, 'bookings.create', b);
  await deskApi(desk, 'sync.settings.update', { hq_url: hq.url, token: branch.token, interval_min: 0, ca_cert: null });
  const run = await deskApi(desk, 'sync.run', {});
  expect(run.rejected ?? 0).toBe(0);
}

test.beforeAll(async () => {
  test.setTimeout(120_000);
  hq = await startHeadOffice({ page: true });
  hq.addUser(USER, 'hq_viewer', PASSWORD);
  const event = (days: number) => `${jakartaDate(days)}T10:00`;
  await branchDesk(BANDUNG, [
    { customer: shared, event_at: event(3), price: '1500000', payment_status: 'dp' },
    { customer: { name: 'Budi Bandung', phone: uniquePhone() }, event_at: event(20), price: '500000' },
    { customer: { name: 'Citra Bandung', phone: uniquePhone() }, event_at: event(40), price: '250000' },
  ]);
  // the same person at Surabaya, her number spelled another way
  await branchDesk(SURABAYA, [
    { customer: { name: shared.name, phone: `+62 ${shared.phone.slice(1, 4)}-${shared.phone.slice(4)}` }, event_at: event(5), price: '750000' },
  ]);
  hq.enrol(MEDAN); // enrolled, never synced
});

test.afterAll(async () => {
  for (const d of desks) await d.stop();
  await hq?.stop();
});

async function logIn(page: Page, user = USER, password = PASSWORD) {
  await page.goto(`${hq.url}/`);
  await expect(page.getByLabel('Nama pengguna')).toBeFocused();
  await page.getByLabel('Nama pengguna').fill(user);
  await page.getByLabel('Kata sandi').fill(password);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('who')).toContainText(user);
}

test('login: a wrong password is refused in words (English too); the right one opens Cabang', async ({ page }) => {
  const res = await page.goto(`${hq.url}/`);
  // the desk's security headers on head office's page
  expect(res?.headers()['content-security-policy']).toContain("script-src 'self'");
  expect(res?.headers()['x-frame-options']).toBe('DENY');
  await expect(page.getByRole('heading', { name: 'Masuk ke kantor pusat', level: 1 })).toBeVisible();
  await page.getByLabel('Nama pengguna').fill(USER);
  await page.getByLabel('Kata sandi').fill('not-the-password');
  await page.getByRole('button', { name: 'Masuk' }).click();
  await expect(page.getByRole('alert')).toHaveText('Nama pengguna atau kata sandi salah.');
  await noRawJson(page);
  await page.getByTestId('language').selectOption('en');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('alert')).toHaveText('Wrong username or password.');
  await page.getByTestId('language').selectOption('id');

  await page.getByLabel('Kata sandi').fill(PASSWORD);
  await page.getByRole('button', { name: 'Masuk' }).click();
  await expect(page.getByTestId('who')).toContainText(USER);
  await expect(page.getByTestId('who')).toContainText('Pengamat kantor pusat');
  await expect(page.getByRole('heading', { name: 'Cabang', level: 1 })).toBeVisible();
  // an unknown API route stays JSON, not the page
  const missing = await page.request.get(`${hq.url}/api/v1/nothing-here`);
  expect(missing.status()).toBe(404);
  expect(await missing.json()).toMatchObject({ error: { code: 'not_found' } });
});

test('Cabang: each branch with its sync state — healthy after a push, never synced, nothing behind or refused', async ({ page }) => {
  await logIn(page);
  const table = page.getByTestId('branches');
  await expect(table.locator('tbody tr')).toHaveCount(3);
  for (const name of [BANDUNG, SURABAYA]) {
    const row = table.locator(`tr[data-branch="${name}"]`);
    await expect(row.getByTestId('health')).toHaveText(/Sehat/);
    await expect(row.getByTestId('health')).toHaveAttribute('data-health', 'healthy');
    await expect(row.getByTestId('last-push')).toHaveText('baru saja');
    await expect(row.getByTestId('behind-changes')).toHaveText('0');
    await expect(row.getByTestId('behind-time')).toHaveText('0 detik');
    await expect(row.getByTestId('rejections')).toHaveText('0');
  }
  const medan = table.locator(`tr[data-branch="${MEDAN}"]`);
  await expect(medan.getByTestId('health')).toHaveText(/Belum pernah sinkron/);
  await expect(medan.getByTestId('last-push')).toHaveText('Belum pernah');
  await snap(page, 'hq-branches');
});

test('Booking: bookings of every branch, filtered by branch; an empty branch says so', async ({ page }) => {
  await logIn(page);
  await page.getByRole('link', { name: 'Booking', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Booking semua cabang', level: 1 })).toBeVisible();
  const rows = page.getByTestId('bookings').locator('tbody tr');
  await expect(rows).toHaveCount(4);
  await expect(page.getByTestId('bookings').locator(`tr[data-branch="${SURABAYA}"]`)).toHaveCount(1);

  await page.getByLabel('Cabang').selectOption({ label: BANDUNG });
  await expect(rows).toHaveCount(3);
  for (const cell of await page.getByTestId('bookings').getByTestId('branch').all()) await expect(cell).toHaveText(BANDUNG);
  // with a status too: the DP booking is active… and none is completed
  await page.getByLabel('Status').selectOption({ label: 'Selesai' });
  await expect(page.getByText('Tidak ada booking yang cocok dengan saringan ini.')).toBeVisible();
  await page.getByRole('button', { name: 'Atur ulang' }).click();
  await expect(rows).toHaveCount(4);
  await page.getByLabel('Cabang').selectOption({ label: MEDAN });
  await expect(page.getByText('Tidak ada booking yang cocok dengan saringan ini.')).toBeVisible();
  await snap(page, 'hq-bookings');
});

test('Pelanggan: found by phone in another spelling, one customer with both branches and her bookings', async ({ page }) => {
  await logIn(page);
  await page.getByRole('link', { name: 'Pelanggan', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Data induk pelanggan', level: 1 })).toBeVisible();
  const spelled = `+62 ${shared.phone.slice(1, 4)} ${shared.phone.slice(4, 8)} ${shared.phone.slice(8)}`;
  await page.getByRole('searchbox', { name: 'Nomor telepon' }).fill(spelled);
  await page.keyboard.press('Enter');
  const rows = page.getByTestId('customers').locator('tbody tr');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText(shared.name);
  await expect(rows.first().getByTestId('customer-branches')).toContainText(BANDUNG);
  await expect(rows.first().getByTestId('customer-branches')).toContainText(SURABAYA);
  await expect(rows.first().getByTestId('customer-bookings')).toHaveText('2');
  // a number nobody has: the empty state
  await page.getByRole('searchbox', { name: 'Nomor telepon' }).fill('0899-0000-0001');
  await page.keyboard.press('Enter');
  await expect(page.getByText('Pelanggan tidak ditemukan.')).toBeVisible();
  // a phone that is no phone: the API's refusal, in words
  await page.getByRole('searchbox', { name: 'Nomor telepon' }).fill('12');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('alert')).toBeVisible();
  await noRawJson(page);
});

test('Laporan: bookings per day with its chart, and a CSV link that downloads real CSV', async ({ page }) => {
  await logIn(page);
  await page.getByRole('link', { name: 'Laporan', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Laporan', level: 1 })).toBeVisible();
  const report = page.getByTestId('report-bookings-per-day');
  const chart = report.getByTestId('chart-bookings-per-day');
  await expect(chart).toBeVisible();
  await expect(chart).toHaveAttribute('role', 'img');
  // every booking was made today at both desks: one bar of 4
  const bars = chart.locator('[data-value]');
  await expect(bars).toHaveCount(1);
  await expect(bars.first()).toHaveAttribute('data-value', '4');
  await expect(report.locator('tbody tr')).toHaveCount(2);
  await expect(page.getByTestId('chart-segments')).toBeVisible();
  await expect(page.getByTestId('chart-revenue-per-month')).toBeVisible();
  await expect(page.getByTestId('report-messages').getByRole('heading', { name: 'Pesan WhatsApp' })).toBeVisible();

  const link = report.getByTestId('csv-bookings-per-day');
  await expect(link).toHaveAttribute('href', '/api/v1/reports/bookings-per-day?format=csv');
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  expect(download.suggestedFilename()).toBe('bookings-per-day.csv');
  const csv = readFileSync((await download.path())!, 'utf8').trim().split(/\r?\n/);
  expect(csv[0]).toBe('date,branch_id,branch_name,bookings,revenue');
  expect(csv).toHaveLength(3);
  expect(csv.join('\n')).toContain(`,${BANDUNG},3,2250000`);
  expect(csv.join('\n')).toContain(`,${SURABAYA},1,750000`);
  await snap(page, 'hq-reports');
});

test('WhatsApp: an hq_admin sets up the bot and its gateway, secrets come back masked, a viewer has no such screen; Cabang: where a branch is, shown on the booking page', async ({ page }) => {
  await logIn(page);
  await expect(page.getByRole('link', { name: 'Laporan', exact: true })).toBeVisible();
  await expect(page.getByRole('link', { name: 'WhatsApp', exact: true })).toHaveCount(0);
  await page.getByRole('button', { name: 'Keluar' }).click();

  const admin = 'pusat-admin';
  const adminPassword = 'e2e-hq-admin-password';
  hq.addUser(admin, 'hq_admin', adminPassword);
  await logIn(page, admin, adminPassword);
  await page.getByRole('link', { name: 'WhatsApp', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Booking lewat WhatsApp', level: 1 })).toBeVisible();
  const bot = page.locator('section', { has: page.getByRole('heading', { name: 'Bot booking' }) });
  await expect(bot.getByLabel('Bot menjawab pelanggan')).not.toBeChecked();

  // a radius of 0 is refused, named at its field
  await bot.getByLabel('Radius pencarian (km)').fill('0');
  await bot.getByRole('button', { name: /Simpan/ }).click();
  await expect(bot.locator('[data-field="radius_km"] .field-error')).toBeVisible();

  await bot.getByLabel('Bot menjawab pelanggan').check();
  await bot.getByLabel('Nama usaha').fill('Salon Ayu Pusat');
  await bot.getByLabel('Radius pencarian (km)').fill('12,5');
  await bot.getByLabel('Verify token Meta').fill('verify-e2e-1234');
  await bot.getByLabel('Alamat publik kantor pusat').fill(hq.url);
  await bot.getByRole('button', { name: /Simpan/ }).click();
  await expect(bot.getByTestId('bot-saved')).toHaveText('Tersimpan.');

  const gateway = page.locator('section', { has: page.getByRole('heading', { name: 'Gateway', exact: true }) });
  await gateway.getByLabel('Gateway', { exact: true }).selectOption('meta');
  await gateway.getByLabel('Token akses').fill('meta-token-e2e-5678');
  await gateway.getByLabel('Phone number ID').fill('1234567890');
  const confirmation = gateway.locator('.meta-template', { has: page.getByRole('heading', { name: 'Konfirmasi booking' }) });
  await confirmation.getByLabel('Nama template').fill('konfirmasi_booking');
  await confirmation.getByLabel('Kode bahasa').fill('id');
  await gateway.getByRole('button', { name: /Simpan/ }).click();
  await expect(page.getByTestId('gateway-saved')).toBeVisible();
  await snap(page, 'hq-whatsapp');

  // after a reload: the settings kept, the secrets masked
  await page.reload();
  await expect(bot.getByLabel('Bot menjawab pelanggan')).toBeChecked();
  await expect(bot.getByLabel('Nama usaha')).toHaveValue('Salon Ayu Pusat');
  await expect(bot.getByLabel('Alamat publik kantor pusat')).toHaveValue(hq.url);
  await expect(bot.getByLabel('Radius pencarian (km)')).toHaveValue('12.5');
  await expect(bot.locator('[data-field="meta_verify_token"] .field-hint')).toHaveText('Tersimpan: ••••1234. Kosongkan untuk tetap memakainya.');
  await expect(gateway.locator('[data-field="token"] .field-hint')).toHaveText('Tersimpan: ••••5678. Kosongkan untuk tetap memakainya.');
  await expect(confirmation.getByLabel('Nama template')).toHaveValue('konfirmasi_booking');
  const html = await page.content();
  expect(html).not.toContain('verify-e2e-1234');
  expect(html).not.toContain('meta-token-e2e-5678');
  await noRawJson(page);

  // the saved verify token is the one Meta's handshake must show
  const challenge = await fetch(`${hq.url}/webhooks/meta?hub.mode=subscribe&hub.verify_token=verify-e2e-1234&hub.challenge=4711`);
  expect(challenge.status).toBe(200);
  expect(await challenge.text()).toBe('4711');
  const wrong = await fetch(`${hq.url}/webhooks/meta?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=4711`);
  expect(wrong.status).toBe(403);

  // Cabang: the admin sets where a branch is; the booking page shows it
  await page.getByRole('link', { name: 'Cabang', exact: true }).click();
  await page.getByRole('button', { name: `Lokasi ${BANDUNG}` }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Tautan peta (https://…)').fill('peta-bandung');
  await dialog.getByRole('button', { name: /Simpan/ }).click();
  await expect(dialog.locator('[data-field="map_url"] .field-error')).toBeVisible();
  await dialog.getByLabel('Alamat (halaman booking)').fill('Jl. Braga 10, Bandung');
  await dialog.getByLabel('Tautan peta (https://…)').fill('https://maps.google.com/?q=-6.917,107.609');
  await dialog.getByRole('button', { name: /Simpan/ }).click();
  await expect(dialog).toHaveCount(0);
  await expect(page.locator(`tr[data-branch="${BANDUNG}"]`)).toContainText('Jl. Braga 10, Bandung');
  await page.goto(`${hq.url}/book`);
  await page.getByRole('button', { name: new RegExp(BANDUNG) }).click();
  await expect(page.getByRole('link', { name: `Peta: ${BANDUNG} ↗` })).toHaveAttribute('href', 'https://maps.google.com/?q=-6.917,107.609');
});

/** No WCAG 2 A/AA violation that axe-core finds on the page as it is now. */
async function accessible(page: Page, step: string) {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  expect(
    result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
    step,
  ).toEqual([]);
}

test('booking page: on a phone, a customer books a studio time, a missing field is named in Indonesian, the WhatsApp link confirms it, and a code on WhatsApp lets them cancel it', async ({ page }) => {
  test.setTimeout(90_000);
  // A studio with a service and free times tomorrow, pushed to head office.
  const name = 'Studio Kemang Online';
  const branch = hq.enrol(name);
  const desk = await startDesk(new Date(appNow()));
  desks.push(desk);
  const service = await deskApi(desk, 'services.create', { name: 'Rias Pengantin', duration_min: 120, price: '2500000' });
  const provider = await deskApi(desk, 'providers.create', {
    name: 'Mbak Ayu',
    whatsapp_number: uniquePhone(),
    latitude: -6.26,
    longitude: 106.81,
    service_ids: [service.id],
  });
  const day = jakartaDate(1);
  for (const time of ['09:00', '13:00']) {
    await deskApi(desk, 'slots.create', { service_id: service.id, provider_id: provider.id, starts_at: `${day}T${time}` });
  }
  await deskApi(desk, 'sync.settings.update', { hq_url: hq.url, token: branch.token, interval_min: 0, ca_cert: null });
  await deskApi(desk, 'sync.run', {});

  // Head office's public address (the WhatsApp screen's setting): the link's start.
  hq.sql(
    `INSERT INTO bot_settings (id, enabled, radius_km, version, updated_at, public_url)
     VALUES (true, false, 25, 1, now(), '${hq.url}')
     ON CONFLICT (id) DO UPDATE SET public_url = excluded.public_url`,
  );
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${hq.url}/book/studio-kemang-online`);
  await expect(page.getByRole('button', { name, exact: true })).toHaveAttribute('aria-pressed', 'true');
  await accessible(page, 'the branch step');
  await page.getByRole('button', { name: /Rias Pengantin/ }).click();
  await expect(page.getByRole('button', { name: /Rias Pengantin/ })).toContainText('Rp 2.500.000');
  await page.getByLabel('Hari', { exact: true }).selectOption(day);
  const times = page.getByTestId('times');
  await expect(times.getByRole('button')).toHaveCount(2);
  await times.getByRole('button', { name: '13.00' }).click();
  await accessible(page, 'the time step');

  // gender left out: named next to its field, in Indonesian
  const phone = uniquePhone();
  await page.getByLabel('Nama', { exact: true }).fill('Sinta Dewi');
  await page.getByLabel('Nomor WhatsApp').fill(phone);
  await page.getByLabel('Alamat').fill('Jl. Kemang Raya 5, Jakarta Selatan');
  await page.getByRole('button', { name: 'Booking sekarang' }).click();
  await expect(page.locator('[data-field="customer.gender"] .field-error')).toHaveText('Jenis kelamin wajib diisi.');
  await page.getByLabel('Perempuan').check();
  await page.getByRole('button', { name: 'Booking sekarang' }).click();
  const awaiting = page.getByTestId('awaiting');
  await expect(awaiting).toContainText('Hampir selesai: konfirmasi lewat WhatsApp');
  const code = (await awaiting.locator('.book-code').textContent())?.trim() ?? '';
  expect(code).toMatch(/^BK-\d{4}-W\d{3,}$/);
  await snap(page, 'book-awaiting');
  await accessible(page, 'waiting for the confirmation');

  // the WhatsApp message's link confirms it
  const normalised = `62${phone.slice(1)}`;
  const message = hq.sql(`SELECT text FROM hq_outbox WHERE to_phone = '${normalised}' AND text LIKE '%token=%'`);
  const link = /(https?:\/\/\S+)/.exec(message)?.[1] ?? '';
  expect(link).toContain('/book/confirm?code=');
  await page.goto(link);
  await expect(page.getByTestId('confirmed')).toContainText(code);
  await expect(page.getByTestId('confirmed')).toContainText('Booking Anda terkonfirmasi');
  await accessible(page, 'confirmed');

  // English on request; the taken time is no longer offered
  await page.goto(`${hq.url}/book/studio-kemang-online`);
  await page.getByLabel('Bahasa').selectOption('en');
  await page.getByRole('button', { name: /Rias Pengantin/ }).click();
  await page.getByLabel('Day', { exact: true }).selectOption(day);
  await expect(page.getByTestId('times').getByRole('button')).toHaveCount(1);
  await expect(page.getByRole('heading', { name: '3. Day and time' })).toBeVisible();
  await page.getByLabel('Language').selectOption('id');

  // "Booking saya": the code and the phone, six digits on WhatsApp, then cancel
  await page.getByRole('link', { name: 'Booking saya' }).click();
  await page.getByLabel('Kode booking').fill(code);
  await page.getByLabel('Nomor WhatsApp').fill(phone);
  await page.getByRole('button', { name: 'Kirim kode lewat WhatsApp' }).click();
  await expect(page.getByText('kode enam angka sedang dikirim')).toBeVisible();
  const sent = hq.sql(`SELECT text FROM hq_outbox WHERE to_phone = '${normalised}' AND text LIKE 'Kode verifikasi%' ORDER BY id DESC LIMIT 1`);
  const digits = /: (\d{6})\./.exec(sent)?.[1] ?? '';
  expect(digits).toHaveLength(6);
  await page.getByLabel('Kode dari WhatsApp').fill(digits);
  await page.getByRole('button', { name: 'Tampilkan booking saya' }).click();
  const own = page.getByTestId('own-booking');
  await expect(own).toContainText(code);
  await expect(page.getByTestId('own-status')).toHaveText('Terpesan');
  await accessible(page, 'the own booking');
  await own.getByRole('button', { name: 'Batalkan booking ini' }).click();
  await expect(page.getByTestId('own-status')).toHaveText('Dibatalkan');
  await noRawJson(page);
});

