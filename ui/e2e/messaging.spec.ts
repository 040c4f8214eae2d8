// The messaging screens against the real `loket serve`: vehicles, message
// templates, the WAHA gateway (pointed at a stand-in WAHA server started here
// on 127.0.0.1), the message log with "deliver now", and the WhatsApp report.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { api, baseURL, expect, jakartaDate, login, noRawJson, snap, test, uniquePhone } from './helpers';

interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown>;
}

/** A stand-in WAHA: records every request; answers like WAHA, or refuses the key (401). */
class StandIn {
  received: Received[] = [];
  mode: 'ok' | 'refuse' = 'ok';
  url = '';
  private server = http.createServer((req, res) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(data);
      } catch {
        // not JSON: recorded empty
      }
      this.received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      res.setHeader('content-type', 'application/json');
      if (this.mode === 'refuse') {
        res.statusCode = 401;
        res.end(JSON.stringify({ message: 'Unauthorized: wrong API key' }));
        return;
      }
      res.statusCode = 201;
      res.end(JSON.stringify({ id: `true_${String(body.chatId)}_ABC${this.received.length}` }));
    });
  });
  async start() {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  async stop() {
    await new Promise((resolve) => this.server.close(resolve));
  }
  /** What was sent to `chatId`. */
  to(chatId: string) {
    return this.received.filter((r) => r.body.chatId === chatId);
  }
}

const standIn = new StandIn();
const API_KEY = 'e2e-secret-key';

/** `0812…` → WAHA's chat id `62812…@c.us`. */
const chatId = (phone: string) => `62${phone.slice(1)}@c.us`;

async function useWaha() {
  await api('gateway.update', { kind: 'waha', base_url: standIn.url, token: API_KEY, session: 'default' });
}

test.beforeAll(async () => {
  await standIn.start();
});

test.afterAll(async () => {
  // leave the desk as the other tests expect it: messages only logged
  await api('gateway.update', { kind: 'log', token: null });
  await standIn.stop();
});

test('vehicles: create one for a customer through the UI; listed with its next service, due soon, and on the customer’s page', async ({
  page,
}) => {
  const phone = uniquePhone();
  const owner = await api('customers.create', { name: `Agus Salim ${phone.slice(-4)}`, phone });
  const plate = `B ${phone.slice(-4)} KE`;
  await login(page);
  await page.getByRole('link', { name: 'Kendaraan' }).click();
  await expect(page.getByRole('heading', { name: 'Kendaraan', level: 1 })).toBeVisible();
  await page.getByRole('button', { name: '+ Kendaraan baru' }).click();
  const dialog = page.getByRole('dialog');
  // the owner: typed, chosen from the matches
  const picker = dialog.getByLabel('Pemilik');
  await expect(picker).toBeFocused();
  await picker.fill(owner.name);
  await dialog.getByRole('option', { name: new RegExp(owner.code) }).click();
  await expect(picker).toHaveValue(`${owner.name} · ${owner.code}`);
  // a plate the core refuses: its message next to the field
  await dialog.getByLabel('Nomor polisi').fill('B_1');
  await dialog.getByLabel('Model').fill('Toyota Avanza');
  await dialog.getByRole('button', { name: 'Simpan' }).click();
  const plateField = dialog.locator('[data-field="plate_number"]');
  await expect(plateField.locator('.field-error')).toHaveText(
    'Nomor polisi hanya boleh berisi huruf, angka, spasi, tanda hubung dan titik.',
  );
  await expect(plateField.locator('input')).toBeFocused();
  // any usual spelling: shown as the core will store it
  await plateField.locator('input').fill(`b-${phone.slice(-4)}-ke`);
  await expect(plateField.locator('.field-hint')).toHaveText(`Disimpan sebagai ${plate}`);
  await dialog.getByLabel('Tahun').fill('2019');
  // last service 87 days ago, every 90 days → next service in 3 days
  await dialog.getByLabel('Servis terakhir').fill(jakartaDate(-87));
  await dialog.getByLabel('Interval servis (hari)').fill('90');
  await expect(dialog.locator('[data-field="next_service_at"] .field-hint')).toContainText('Servis berikutnya:');
  await snap(page, 'vehicle-form');
  await dialog.getByRole('button', { name: 'Simpan' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByText(`Kendaraan ${plate} tersimpan.`)).toBeVisible();

  const row = page.locator(`tr[data-plate="${plate}"]`);
  await expect(row).toContainText('Toyota Avanza');
  await expect(row).toContainText(owner.name);
  await expect(row).toContainText('2019');
  await expect(row.locator('.badge-due-soon')).toHaveText('Segera servis');
  await snap(page, 'vehicles-list');
  const saved = (await api('vehicles.list', { customer_id: owner.id })).data[0];
  expect(saved.plate_number).toBe(plate);
  // the plate search takes any spelling
  await page.locator('input[data-search]').fill(`b${phone.slice(-4)}`);
  await expect(page.locator('tr[data-plate]')).toHaveCount(1);
  await expect(row).toBeVisible();
  await noRawJson(page);

  // the customer's page lists it
  await row.getByRole('link', { name: owner.name }).click();
  const section = page.getByTestId('customer-vehicles');
  await expect(section.locator(`tr[data-plate="${plate}"]`)).toContainText('Toyota Avanza');
  await expect(section.locator('.badge-due-soon')).toBeVisible();
});

test('templates: edit a text with the placeholders, the preview follows; an unknown placeholder is shown next to the body; reset to default', async ({
  page,
}) => {
  await login(page);
  await page.getByRole('link', { name: 'Template pesan' }).click();
  await page.locator('[data-template="reminder_h1.id"]').click();
  const editor = page.getByRole('region', { name: 'Pengingat H-1 — Bahasa Indonesia' });
  const body = editor.getByLabel('Isi pesan');
  const preview = editor.getByTestId('preview-text');
  const defaultText = await body.inputValue();
  expect(defaultText).toContain('{customer_name}');
  // the preview renders the sample booking
  await expect(preview).toContainText('Halo Siti Rahayu');

  await body.fill('Halo {customer_name}, jadwal Anda pukul ');
  await editor.getByRole('button', { name: '{time}' }).click();
  await expect(body).toHaveValue('Halo {customer_name}, jadwal Anda pukul {time}');
  await expect(body).toBeFocused();
  await expect(preview).toHaveText(/^Halo Siti Rahayu, jadwal Anda pukul \d{2}:\d{2}$/);
  await expect(editor.getByRole('button', { name: '{time}' })).toHaveClass(/used/);
  // only what a booking reminder has a value for: no vehicle plate
  await expect(editor.getByRole('button', { name: '{plate}' })).toHaveCount(0);

  // a placeholder the core does not know
  await body.pressSequentially(' {nama}');
  await expect(editor.getByTestId('preview-unknown')).toContainText('Placeholder tidak dikenal: {nama}');
  await editor.getByRole('button', { name: 'Simpan' }).click();
  const field = editor.locator('[data-field="body"]');
  await expect(field.locator('.field-error')).toContainText('Placeholder {nama} tidak dikenal; gunakan {customer_name}, {booking_code}');
  await expect(body).toHaveAttribute('aria-invalid', 'true');
  await expect(body).toBeFocused();
  await noRawJson(page);
  await snap(page, 'template-unknown-placeholder');

  // fixed, it saves: the list shows it changed
  await body.fill('Halo {customer_name}, sampai besok pukul {time} di {business_name}.');
  await expect(preview).toHaveText(/^Halo Siti Rahayu, sampai besok pukul \d{2}:\d{2} di .+\.$/);
  await editor.getByRole('button', { name: 'Simpan' }).click();
  await expect(field.locator('.field-error')).toHaveCount(0);
  const cell = page.locator('[data-template="reminder_h1.id"]').locator('xpath=..');
  await expect(cell.locator('.badge')).toHaveText('Diubah');
  expect((await api('templates.get', { kind: 'reminder_h1', language: 'id' })).body).toBe(
    'Halo {customer_name}, sampai besok pukul {time} di {business_name}.',
  );

  // back to the built-in text
  page.once('dialog', (d) => void d.accept());
  await editor.getByRole('button', { name: '↺ Kembalikan ke bawaan' }).click();
  await expect(body).toHaveValue(defaultText);
  await expect(cell.locator('.badge')).toHaveText('Bawaan');
  expect((await api('templates.get', { kind: 'reminder_h1', language: 'id' })).is_default).toBe(true);
});

test('gateway: WAHA pointed at a stand-in; the token is kept when left empty; the test message reaches it', async ({ page }) => {
  await login(page);
  await page.getByRole('link', { name: 'Gateway WhatsApp' }).click();
  await page.getByLabel('Gateway', { exact: true }).selectOption('waha');
  // the fields WAHA uses, with its default address
  await expect(page.getByLabel('Alamat (base URL)')).toHaveValue('http://localhost:3000');
  await expect(page.getByLabel('Sesi WAHA')).toBeVisible();
  await expect(page.getByLabel('Phone number ID')).toHaveCount(0);
  await page.getByLabel('Alamat (base URL)').fill(standIn.url);
  await page.getByLabel('API key (X-Api-Key)').fill(API_KEY);
  await page.getByRole('button', { name: 'Simpan' }).first().click();
  await expect(page.getByText('Pengaturan gateway tersimpan.')).toBeVisible();
  // shown masked as the core returns it; the field itself stays empty
  const token = page.locator('[data-field="token"]');
  await expect(token.locator('.field-hint')).toHaveText('Tersimpan: ••••-key. Kosongkan untuk tetap memakainya.');
  await expect(token.locator('input')).toHaveValue('');
  // saved again with the token left empty: the stored one is kept
  await page.getByLabel('Batas waktu per permintaan (detik)').fill('10');
  await page.getByRole('button', { name: 'Simpan' }).first().click();
  await expect(token.locator('.field-hint')).toHaveText('Tersimpan: ••••-key. Kosongkan untuk tetap memakainya.');
  // the hint was already there before this save: wait for the save itself to land
  await expect.poll(async () => (await api('gateway.get', {})).timeout_secs).toBe(10);
  const stored = await api('gateway.get', {});
  expect(stored).toMatchObject({ kind: 'waha', base_url: standIn.url, token: '••••-key', timeout_secs: 10 });

  // a wrong number: the message next to the field
  await page.getByLabel('Nomor telepon').fill('12345');
  await page.getByRole('button', { name: '✉ Kirim pesan uji' }).click();
  await expect(page.locator('[data-field="test_phone"] .field-error')).toHaveText(
    'Nomor telepon harus diawali 08, +62 atau 62.',
  );

  const phone = uniquePhone();
  await page.getByLabel('Nomor telepon').fill(phone);
  await page.getByRole('button', { name: '✉ Kirim pesan uji' }).click();
  const result = page.getByTestId('test-result');
  await expect(result).toHaveAttribute('data-status', 'sent');
  await expect(result).toContainText('Terkirim lewat WAHA');
  await expect(result).toContainText(`ID pesan gateway: true_${chatId(phone)}_ABC`);
  await snap(page, 'gateway-test-sent');

  const got = standIn.to(chatId(phone));
  expect(got).toHaveLength(1);
  expect(got[0].method).toBe('POST');
  expect(got[0].url).toBe('/api/sendText');
  expect(got[0].headers['x-api-key']).toBe(API_KEY);
  expect(got[0].body).toMatchObject({ session: 'default', chatId: chatId(phone) });
  expect(String(got[0].body.text)).toContain('Pesan uji');
  expect(got[0].body.chatId).toMatch(/^62\d+@c\.us$/);
});

test('message log: a confirmation waits while the gateway refuses the key; "Deliver now" sends it', async ({ page }) => {
  await useWaha();
  standIn.mode = 'refuse';
  const phone = uniquePhone();
  const booking = await api('bookings.create', {
    customer: { name: `Kirim Sekarang ${phone.slice(-4)}`, phone },
    event_at: `${jakartaDate(4)}T10:00`,
    price: '1250000',
  });
  // the background sender tries, is refused: the message waits in the queue, deliveries pause
  await expect
    .poll(async () => {
      const m = (await api('messages.list', { booking_id: booking.id })).data[0];
      return `${m?.status} ${m?.last_error ?? ''}`;
    }, { timeout: 20_000 })
    .toMatch(/^queued WAHA 401/);

  await login(page);
  await page.getByRole('link', { name: 'Log pesan' }).click();
  await page.goto(`${baseURL()}/#/messages?customer=${booking.customer_id}`);
  await expect(page.getByLabel('Pelanggan', { exact: true })).toHaveValue(`${booking.customer_name} · ${booking.customer_code}`);
  const row = page.locator('tr[data-message]').filter({ hasText: 'Konfirmasi booking' });
  await expect(row).toHaveCount(1);
  await expect(row.locator('[data-status]')).toHaveText('Antre');
  await expect(row.locator('.error-cell')).toContainText('WAHA 401');
  await expect(row).toContainText(phone.slice(0, 4));
  // the pause is shown to whoever reads the log, with what to do about it
  await expect(page.getByTestId('delivery-paused')).toContainText('Pengiriman dijeda: gateway menolak kredensial (WAHA 401');

  standIn.mode = 'ok';
  await page.getByRole('button', { name: '✉ Kirim sekarang' }).click();
  await expect(page.getByTestId('flush-result')).toContainText('1 terkirim');
  await expect(row.locator('[data-status]')).toHaveAttribute('data-status', 'sent');
  await expect(row.locator('[data-status]')).toHaveText('Terkirim');
  await expect(page.getByTestId('delivery-paused')).toHaveCount(0);
  await expect(row).toContainText(`true_${chatId(phone)}_ABC`);
  await snap(page, 'message-log-sent');

  // the detail shows the text as sent
  await row.getByRole('button', { name: 'Buka' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByTestId('message-body')).toContainText(booking.code);
  await expect(dialog.getByRole('button', { name: '↻ Kirim ulang' })).toHaveCount(0);
  await page.keyboard.press('Escape');

  const sent = standIn.to(chatId(phone));
  expect(sent.length).toBe(2); // refused once, then delivered
  expect(String(sent[1].body.text)).toContain(booking.code);
  expect(sent[1].headers['x-api-key']).toBe(API_KEY);

  // the jobs panel: last runs and "run now"
  const jobs = page.getByTestId('jobs');
  await expect(jobs.locator('tr[data-job="reminders"]')).toContainText('Pengingat H-1 dan tagihan');
  page.once('dialog', (d) => void d.accept());
  await jobs.locator('tr[data-job="priority_recalculation"]').getByRole('button', { name: '▶ Jalankan sekarang' }).click();
  await expect(page.getByText(/^Hitung ulang prioritas: \d+ booking dinilai ulang, \d+ berganti segmen$/)).toBeVisible();
  await expect(jobs.locator('tr[data-job="priority_recalculation"]')).toContainText('booking dinilai ulang');
  await noRawJson(page);
});

test('WhatsApp report: the pair with its frequency, the statistics chart, resetting shows the count', async ({ page }) => {
  await useWaha();
  standIn.mode = 'ok';
  const phone = uniquePhone();
  const booking = await api('bookings.create', {
    customer: { name: `Laporan WA ${phone.slice(-4)}`, phone },
    event_at: `${jakartaDate(6)}T14:00`,
    price: '900000',
  });
  await expect
    .poll(async () => (await api('whatsapp_report.customer', { id: booking.customer_id })).data[0]?.frequency ?? 0, {
      timeout: 20_000,
    })
    .toBe(1);
  const stats = await api('whatsapp_report.statistics', {});

  await login(page);
  await page.getByRole('link', { name: 'Laporan WhatsApp' }).click();
  const row = page.locator(`tr[data-customer="${booking.customer_id}"]`);
  await expect(row).toContainText(booking.customer_name);
  await expect(row).toContainText(booking.code);
  await expect(row).toContainText('Booking');
  await expect(row.getByTestId('frequency')).toHaveText('1');
  await expect(page.getByTestId('stat-pairs').locator('.stat-value')).toHaveText(String(stats.total_customers_with_vehicles));
  await expect(page.getByTestId('stat-messages').locator('.stat-value')).toHaveText(String(stats.total_messages_sent));
  const chart = page.getByRole('img', { name: /Pelanggan menurut jumlah pesan: 1 pesan: \d+ pasangan/ });
  await expect(chart).toBeVisible();
  await expect(chart.locator('[data-frequency="1"] .chart-value')).toHaveText(String(stats.customers_by_frequency['1']));
  await snap(page, 'whatsapp-report');

  // one customer's frequencies
  const picker = page.getByLabel('Pelanggan', { exact: true });
  await picker.fill(booking.customer_name);
  await page.getByRole('option', { name: new RegExp(booking.customer_code) }).click();
  await expect(page.locator('tr[data-report]')).toHaveCount(1);
  page.once('dialog', (d) => void d.accept());
  await page.getByRole('button', { name: '↺ Atur ulang frekuensi pelanggan ini' }).first().click();
  await expect(page.getByTestId('reset-result')).toHaveText('Frekuensi 1 baris laporan diatur ulang.');
  await expect(row.getByTestId('frequency')).toHaveText('0');

  // everyone's: the count of rows reset
  const rows = (await api('whatsapp_report.list', { page_size: 1 })).meta.total;
  page.once('dialog', (d) => void d.accept());
  await page.getByRole('button', { name: '↺ Atur ulang semua frekuensi' }).click();
  await expect(page.getByTestId('reset-result')).toHaveText(`Frekuensi ${rows} baris laporan diatur ulang.`);
  await expect(page.getByTestId('stat-pairs').locator('.stat-value')).toHaveText('0');
  await expect(page.getByText('Belum ada pesan yang dihitung.')).toBeVisible();
  await noRawJson(page);
});

test('roles: the messaging screens appear only for roles that may use them', async ({ page }) => {
  await api('users.create', { username: 'sales-e2e', password: 'sales-e2e-password', role: 'sales' });
  await login(page, 'sales-e2e', 'sales-e2e-password');
  await expect(page.getByRole('link', { name: 'Kendaraan' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Log pesan' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Laporan WhatsApp' })).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'Template pesan' })).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'Gateway WhatsApp' })).toHaveCount(0);
  // sales may read the log but not resend, cancel or deliver
  await page.getByRole('link', { name: 'Log pesan' }).click();
  await expect(page.getByRole('heading', { name: 'Log pesan' })).toBeVisible();
  await expect(page.getByRole('button', { name: '✉ Kirim sekarang' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: /Jalankan sekarang/ })).toHaveCount(0);
  await page.goto(`${baseURL()}/#/gateway`);
  await expect(page.getByText('Peran Anda tidak boleh membuka layar ini.')).toBeVisible();
});

test('a customer who reads English: chosen in the customer form, their confirmation goes out in English', async ({ page }) => {
  const phone = uniquePhone();
  await login(page);
  await page.getByRole('link', { name: 'Pelanggan' }).click();
  await page.getByRole('button', { name: '+ Pelanggan baru' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Nama').fill('Jane Doe');
  await dialog.getByLabel('Telepon').fill(phone);
  await dialog.getByLabel('Bahasa pesan WhatsApp').selectOption('en');
  await dialog.getByRole('button', { name: 'Simpan' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByText('Bahasa Inggris')).toBeVisible();
  await snap(page, 'customer-language');
  const found = await api('customers.list', { q: phone });
  const jane = found.data[0];
  expect(jane.language).toBe('en');
  const booked = await api('bookings.create', { customer_id: jane.id, price: '750000', event_at: `${jakartaDate(10)}T10:00` });
  const log = await api('messages.list', { customer_id: jane.id, kind: 'booking_confirmation' });
  const confirmation = log.data.find((m) => m.body.includes(booked.code));
  expect(confirmation?.body).toMatch(/^Hello Jane Doe/);
});
