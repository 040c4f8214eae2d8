// Errors from the core, as sentences in the user's language. The core's
// messages are English and name the field; the UI shows the field's label and
// a translation of the message (known phrasings), never raw JSON.
import type { Lang } from '../lib/format';
import { ApiError } from '../api/transport';
import { syncFailureText } from '../lib/sync';
import { hasKey, translate, type Key } from './index';

/** Field name (last segment, without `customer.` or `days[0].`) → label key. */
const FIELD_LABELS: Record<string, Key> = {
  name: 'customers.name',
  phone: 'customers.phone',
  email: 'customers.email',
  gender: 'customers.gender',
  address: 'customers.address',
  ktp_number: 'customers.ktp',
  npwp_number: 'customers.npwp',
  birth_date: 'customers.birthDate',
  birth_place: 'customers.birthPlace',
  occupation: 'customers.occupation',
  monthly_income: 'customers.income',
  emergency_contact: 'customers.emergency',
  customer_type: 'customers.type',
  customer: 'bookings.customer',
  customer_id: 'bookings.customer',
  price: 'bookings.price',
  booking_fee: 'bookings.fee',
  booking_date: 'bookings.bookingDate',
  booking_status: 'bookings.status',
  payment_status: 'bookings.paymentStatus',
  payment_method: 'bookings.paymentMethod',
  payment_date: 'bookings.paymentDate',
  client_count: 'bookings.clients',
  event_at: 'bookings.event',
  notes: 'bookings.notes',
  staff_id: 'bookings.staff',
  unit_id: 'bookings.unit',
  slot_id: 'wizard.kind.slot',
  otp: 'book.otp',
  rating: 'bookings.rating',
  review: 'bookings.review',
  unit_type: 'units.type',
  block: 'units.block',
  number: 'units.number',
  code: 'units.code',
  location: 'units.location',
  land_area: 'units.landArea',
  building_area: 'units.buildingArea',
  bedrooms: 'units.bedrooms',
  bathrooms: 'units.bathrooms',
  garage: 'units.garage',
  price_min: 'units.priceMin',
  price_max: 'units.priceMax',
  duration_min: 'services.duration',
  description: 'services.description',
  whatsapp_number: 'providers.whatsapp',
  latitude: 'providers.latitude',
  longitude: 'providers.longitude',
  lat: 'providers.latitude',
  lng: 'providers.longitude',
  radius_km: 'providers.radius',
  max_slots_per_day: 'providers.maxPerDay',
  service_ids: 'providers.services',
  service_id: 'bookings.service',
  provider_id: 'bookings.provider',
  start: 'schedule.start',
  end: 'schedule.end',
  breaks: 'schedule.breaks',
  from: 'common.from',
  to: 'common.to',
  buffer_min: 'schedule.buffer',
  business_name: 'settings.businessName',
  folder: 'backup.folder',
  path: 'restore.file',
  passphrase: 'backup.passphrase',
  keep: 'backup.keep',
  time_zone: 'settings.timeZone',
  urgent_days: 'settings.urgentDays',
  soon_days: 'settings.soonDays',
  vip_price: 'settings.vipPrice',
  premium_price: 'settings.premiumPrice',
  group_clients: 'settings.groupClients',
  high_segment_min: 'settings.highMin',
  medium_segment_min: 'settings.mediumMin',
  booking_expiry_days: 'settings.expiryDays',
  username: 'users.username',
  password: 'users.password',
  current_password: 'password.current',
  new_password: 'password.new',
  session_idle_minutes: 'settings.idleMinutes',
  role: 'users.role',
  staff_code: 'staff.code',
  short_code: 'staff.shortCode',
  employment_status: 'staff.employment',
  priority_score: 'bookings.score',
  priority_segment: 'bookings.segment',
  urgency_level: 'bookings.urgency',
  monetary_level: 'bookings.monetary',
  risk_flags: 'bookings.risk',
  event_end_at: 'bookings.event',
  model: 'vehicles.model',
  plate_number: 'vehicles.plate',
  year: 'vehicles.year',
  last_service_at: 'vehicles.lastService',
  service_interval_days: 'vehicles.interval',
  next_service_at: 'vehicles.nextService',
  due_before: 'vehicles.nextService',
  kind: 'messages.kind',
  language: 'messages.language',
  base_url: 'gateway.baseUrl',
  token: 'gateway.token',
  phone_number_id: 'gateway.phoneNumberId',
  api_version: 'gateway.apiVersion',
  session: 'gateway.session',
  timeout_secs: 'gateway.timeout',
  parameters: 'gateway.metaParams',
  provider_notification: 'messageKind.provider_notification',
  booking_moved: 'messageKind.booking_moved',
  reminder_h1: 'messageKind.reminder_h1',
  unpaid_h1: 'messageKind.unpaid_h1',
  maintenance_reminder: 'messageKind.maintenance_reminder',
  test_phone: 'gateway.testPhone',
  message_language: 'gateway.messageLanguage',
  reminder_hour: 'gateway.reminderHour',
  maintenance_window_days: 'gateway.maintenanceWindow',
  maintenance_spacing_days: 'gateway.maintenanceSpacing',
  hq_url: 'sync.hqUrl',
  interval_min: 'sync.interval',
  ca_cert: 'sync.caCert',
};

export function fieldLabel(field: string, lang: Lang): string {
  const last = field.split('.').pop()!.replace(/\[\d+\]$/, '');
  const key = FIELD_LABELS[last];
  return key ? translate(lang, key) : last.replace(/_/g, ' ');
}

type Rule = [RegExp, (m: RegExpMatchArray, lang: Lang) => string];

const v = (lang: Lang, group: string, value: string) =>
  hasKey(`${group}.${value}`) ? translate(lang, `${group}.${value}` as Key).toLowerCase() : value;

/** Indonesian for the core's validation messages (the text after the field). */
const VALIDATION_ID: Rule[] = [
  [/^is required$/, () => 'wajib diisi'],
  [/^is required \(customer_id or customer\)$/, () => 'wajib diisi (pilih atau isi pelanggan)'],
  [/^give customer_id or customer, not both$/, () => 'pilih pelanggan lama atau isi pelanggan baru, bukan keduanya'],
  [/^must be (\d+(?: or \d+)*) digits$/, (m) => `harus ${m[1].replace(/ or /g, ' atau ')} digit`],
  [/^must be at most (\d+) characters$/, (m) => `maksimal ${m[1]} karakter`],
  [/^must be at least (\d+) characters$/, (m) => `minimal ${m[1]} karakter`],
  [/^may contain only digits, spaces, dashes and a leading \+$/, () => 'hanya boleh berisi angka, spasi, tanda hubung dan + di depan'],
  [/^must start with 08, \+62 or 62$/, () => 'harus diawali 08, +62 atau 62'],
  [/^is not an Indonesian phone number$/, () => 'bukan nomor telepon Indonesia'],
  [/^must have 9 to 14 digits after the leading 0$/, () => 'harus 9 sampai 14 digit setelah angka 0 di depan'],
  [/^is not a valid e-mail address$/, () => 'bukan alamat e-mail yang valid'],
  [/^must not be in the future$/, () => 'tidak boleh di masa depan'],
  [/^must be after 1900$/, () => 'harus setelah tahun 1900'],
  [/^already belongs to (\S+) \((.*)\)$/, (m) => `sudah dipakai oleh ${m[1]} (${m[2]})`],
  [/^must not be negative$/, () => 'tidak boleh negatif'],
  [/^must have at most two decimals$/, () => 'maksimal dua angka desimal'],
  [/^is too large$/, () => 'terlalu besar'],
  [/^is required when no unit or slot is booked$/, () => 'wajib diisi bila tidak memesan unit atau slot'],
  [/^is required for a service booking$/, () => 'wajib diisi untuk booking layanan'],
  [/^a booking holds a unit or a slot, not both$/, () => 'booking memegang unit atau slot, tidak keduanya'],
  [/^comes from the slot; leave it out$/, () => 'mengikuti slot; kosongkan'],
  [/^a new booking is pending or active$/, () => 'booking baru harus menunggu pembayaran atau aktif'],
  [/^no such (.+)$/, () => 'tidak ditemukan'],
  [/^must be 1 to 5$/, () => 'harus 1 sampai 5'],
  [/^must be between (-?[\d.]+) and (-?[\d.]+)$/, (m) => `harus antara ${m[1]} dan ${m[2]}`],
  [/^must be a time such as (.+)$/, (m) => `harus berupa jam seperti ${m[1]}`],
  [/^must be a date and time such as (.+)$/, (m) => `harus berupa tanggal dan jam seperti ${m[1]}`],
  [/^must be after start$/, () => 'harus setelah jam mulai'],
  [/^must lie within the working hours$/, () => 'harus di dalam jam kerja'],
  [/^must not overlap$/, () => 'tidak boleh bertabrakan'],
  [/^appears twice$/, () => 'muncul dua kali'],
  [/^must be 0 \(Monday\) to 6 \(Sunday\)$/, () => 'harus 0 (Senin) sampai 6 (Minggu)'],
  [/^must not be before from$/, () => 'tidak boleh sebelum tanggal mulai'],
  [/^at most (\d+) days after from$/, (m) => `paling lama ${m[1]} hari setelah tanggal mulai`],
  [/^must be at most (\d+) minutes$/, (m) => `maksimal ${m[1]} menit`],
  [/^must be (\d+) or more$/, (m) => `minimal ${m[1]}`],
  [/^must be 0 or more$/, () => 'minimal 0'],
  [/^is not a known time zone.*$/, () => 'bukan zona waktu yang dikenal (mis. Asia/Jakarta)'],
  [/^must be a JSON object$/, () => 'harus berupa objek JSON'],
  [/^direction must be asc or desc$/, () => 'arah harus asc atau desc'],
  [/^(.+) with (.+) is no longer offered$/, (m) => `${m[1]} dengan ${m[2]} tidak lagi ditawarkan`],
  [/^unknown placeholder (\S+); use (.+)$/, (m) => `placeholder ${m[1]} tidak dikenal; gunakan ${m[2]}`],
  [/^unknown placeholder (\S+)$/, (m) => `placeholder ${m[1]} tidak dikenal`],
  [/^may contain only letters, digits, spaces, dashes and dots$/, () => 'hanya boleh berisi huruf, angka, spasi, tanda hubung dan titik'],
  [/^must have (\d+) to (\d+) letters and digits$/, (m) => `harus ${m[1]} sampai ${m[2]} huruf dan angka`],
  [/^(.+) is already registered to (.+)$/, (m) => `${m[1]} sudah terdaftar atas nama ${m[2]}`],
  [/^(.+) is already used$/, (m) => `${m[1]} sudah dipakai`],
  [/^must be an http:\/\/ or https:\/\/ address$/, () => 'harus berupa alamat http:// atau https://'],
  [/^must not contain spaces or \/$/, () => 'tidak boleh berisi spasi atau /'],
  [/^is required for (\w+)$/, (m) => `wajib diisi untuk ${m[1]}`],
  [/^is not a message kind$/, () => 'bukan jenis pesan'],
  [/^needs a name and a language$/, () => 'perlu nama dan kode bahasa'],
  [/^is too common and easy to guess; choose another$/, () => 'terlalu umum dan mudah ditebak; pilih yang lain'],
  [/^is not your current password$/, () => 'bukan kata sandi Anda saat ini'],
  [/^must differ from the current password$/, () => 'harus berbeda dari kata sandi saat ini'],
  [
    /^give the token again when the gateway's address changes.*$/,
    () => 'harus diisi lagi bila alamat gateway berubah (token tersimpan tidak dikirim ke alamat baru)',
  ],
  [/^must be an https:\/\/ address$/, () => 'harus berupa alamat https://'],
  [
    /^must be https:\/\/ \(plain http:\/\/ only for a head office on this machine\)$/,
    () => 'harus https:// (http:// biasa hanya untuk kantor pusat di komputer ini)',
  ],
  [/^must name a host$/, () => 'harus menyebut nama host'],
  [/^must be a plain address, without query or credentials$/, () => 'harus alamat biasa, tanpa query atau kredensial'],
  [/^must be a PEM certificate.*$/, () => 'harus sertifikat PEM (-----BEGIN CERTIFICATE----- …)'],
  [/^sync is not set up.*$/, () => 'belum diatur: simpan alamat kantor pusat dan token cabang ini dulu'],
  [/^UUID parsing failed.*$/, () => 'tidak ditemukan'],
  [/^(invalid type|invalid value|unknown variant|invalid length|invalid digit).*$/, () => 'nilainya tidak valid'],
];

/** Indonesian for the core's conflict messages. */
const CONFLICT_ID: Rule[] = [
  [
    /^unit (\S+) is (\w+) and cannot take a new booking$/,
    (m, l) => `Unit ${m[1]} berstatus "${v(l, 'unitStatus', m[2])}" dan tidak bisa dipesan lagi.`,
  ],
  [/^the slot (.+) with (.+) is already booked$/, (m) => `Slot ${m[1]} dengan ${m[2]} sudah dipesan orang lain.`],
  [/^a sync with head office is already running.*$/, () => 'Sinkronisasi dengan kantor pusat sedang berjalan; tunggu sampai selesai.'],
  [/^the slot has already started$/, () => 'Slot ini sudah dimulai.'],
  [
    /^this (.+?) was changed by someone else since you opened it.*$/,
    () => 'Data ini sudah diubah orang lain sejak Anda membukanya. Muat ulang lalu coba lagi.',
  ],
  [
    /^(\S+) is (\w+); it cannot become (\w+)$/,
    (m, l) => `${m[1]} berstatus "${v(l, 'status', m[2])}" sehingga tidak bisa menjadi "${v(l, 'status', m[3])}".`,
  ],
  [/^(\S+) is (\w+); a closed booking cannot be changed$/, (m, l) => `${m[1]} sudah "${v(l, 'status', m[2])}"; booking yang ditutup tidak bisa diubah.`],
  [/^(\S+) is (\w+); a rating and review are given once it is completed$/, (m) => `${m[1]} belum selesai; penilaian dan ulasan diberikan setelah selesai.`],
  [/^a service booking takes its time from its slot.*$/, () => 'Waktu booking layanan mengikuti slotnya; batalkan lalu pesan slot lain.'],
  [/^this change conflicts with data saved at the same time.*$/, () => 'Perubahan ini bertabrakan dengan data yang disimpan bersamaan. Muat ulang lalu coba lagi.'],
  [/^(.+) already has (\d+) slots on (\S+) \(the maximum\)$/, (m) => `${m[1]} sudah punya ${m[2]} slot pada ${m[3]} (maksimum).`],
  [
    /^the message is (\w+); only (.+) messages are (resent|canceled)$/,
    (m, l) =>
      `Pesan ini berstatus "${v(l, 'messageStatus', m[1])}"; hanya pesan ${m[2]
        .split(/, | or /)
        .map((x) => `"${v(l, 'messageStatus', x)}"`)
        .join(', ')} yang bisa ${m[3] === 'resent' ? 'dikirim ulang' : 'dibatalkan'}.`,
  ],
];

const ENTITY_ID: Record<string, string> = {
  booking: 'Booking',
  customer: 'Pelanggan',
  unit: 'Unit',
  slot: 'Slot',
  provider: 'Penyedia',
  service: 'Layanan',
  staff: 'Staf',
  user: 'Pengguna',
  route: 'Halaman',
  operation: 'Operasi',
  vehicle: 'Kendaraan',
  message: 'Pesan',
  job: 'Tugas',
  template: 'Template',
  rejection: 'Penolakan',
  'WhatsApp report': 'Laporan WhatsApp',
};

const ACTION_ID: Record<string, string> = {
  'view customers': 'melihat pelanggan',
  'change customers': 'mengubah pelanggan',
  'delete customers': 'menghapus pelanggan',
  'view KTP/NPWP numbers': 'melihat nomor KTP/NPWP',
  'view units': 'melihat unit',
  'change units': 'mengubah unit',
  'view staff': 'melihat staf',
  'change staff': 'mengubah staf',
  'manage users': 'mengelola pengguna',
  'view bookings': 'melihat booking',
  'create or change bookings': 'membuat atau mengubah booking',
  'cancel bookings': 'membatalkan booking',
  'recalculate priorities': 'menghitung ulang prioritas',
  'read the audit trail': 'membaca riwayat perubahan',
  'view settings': 'melihat pengaturan',
  'change settings': 'mengubah pengaturan',
  'view services and providers': 'melihat layanan dan penyedia',
  'change services and providers': 'mengubah layanan dan penyedia',
  'change schedules and slots': 'mengubah jadwal dan slot',
  'do this': 'melakukan ini',
  'change message templates or the gateway': 'mengubah template pesan atau gateway',
  'view messages': 'melihat pesan',
  'resend, cancel or deliver messages': 'mengirim ulang, membatalkan atau mengirim pesan',
  'view the WhatsApp report': 'melihat laporan WhatsApp',
  'change the WhatsApp report': 'mengubah laporan WhatsApp',
  'run jobs': 'menjalankan tugas',
  'view the sync status': 'melihat status sinkronisasi',
  'sync with head office': 'menyinkronkan dengan kantor pusat',
  'change the sync settings': 'mengubah pengaturan sinkronisasi',
};

function applyRules(rules: Rule[], message: string, lang: Lang): string | null {
  for (const [re, fn] of rules) {
    const m = message.match(re);
    if (m) return fn(m, lang);
  }
  return null;
}

function capitalise(s: string): string {
  return s ? s[0].toUpperCase() + s.slice(1) : s;
}

function sentence(s: string): string {
  const c = capitalise(s.trim());
  return /[.!?]$/.test(c) ? c : c + '.';
}

/** A validation message for `field`, with its label: `Nomor KTP harus 16 digit.` */
export function validationText(field: string | null, message: string, lang: Lang): string {
  // The core's message reads `field: rule`; the label stands in for the field.
  if (field && message.startsWith(`${field}: `)) message = message.slice(field.length + 2);
  const text = lang === 'id' ? (applyRules(VALIDATION_ID, message, lang) ?? message) : message;
  if (!field || field === 'body') return sentence(text);
  return sentence(`${fieldLabel(field, lang)} ${text}`);
}

/** Any error from the core as one readable sentence in `lang`. */
export function errorText(err: unknown, lang: Lang): string {
  const e = err instanceof ApiError ? err : null;
  if (!e) {
    return translate(lang, 'error.internal');
  }
  switch (e.code) {
    case 'validation':
      return validationText(e.field, e.message, lang);
    case 'bad_request':
      return e.field
        ? validationText(e.field, e.message, lang)
        : translate(lang, 'error.bad_request', { message: e.message });
    case 'conflict': {
      if (lang === 'en') return sentence(e.message);
      return applyRules(CONFLICT_ID, e.message, lang) ?? translate(lang, 'error.conflict', { message: e.message });
    }
    case 'not_found': {
      const entity = e.message.replace(/ not found$/, '');
      const name = lang === 'id' ? (ENTITY_ID[entity] ?? entity) : capitalise(entity);
      return translate(lang, 'error.not_found', { entity: name });
    }
    case 'forbidden': {
      const action = e.message.replace(/^your role may not /, '');
      return translate(lang, 'error.forbidden', {
        action: lang === 'id' ? (ACTION_ID[action] ?? action) : action,
      });
    }
    case 'unauthorized':
      return translate(lang, 'error.unauthorized');
    case 'login_failed':
      return translate(lang, 'error.login_failed');
    case 'too_many_attempts': {
      // The core says how long in English words: "try again in 2 minutes".
      const m = e.message.match(/try again in (\d+) (second|minute)/);
      const wait = m
        ? translate(lang, m[2] === 'minute' ? 'error.minutes' : 'error.seconds', { n: m[1] })
        : translate(lang, 'error.minutes', { n: '1' });
      const key = e.message.includes('address') ? 'error.too_many_attempts_address' : 'error.too_many_attempts';
      return translate(lang, key, { wait });
    }
    case 'busy':
      return translate(lang, 'error.busy');
    case 'network':
      return translate(lang, 'error.network');
    case 'read_only':
      return translate(lang, 'error.read_only', { message: sentence(e.message) });
    case 'unavailable':
      // only a sync run answers 502: head office's failure, in words
      return syncFailureText(e.message, lang);
    case 'disk_full':
      return translate(lang, 'error.disk_full');
    case 'backup_invalid':
      return translate(lang, 'error.backup_invalid', { message: e.message });
    default:
      return translate(lang, 'error.internal');
  }
}

/** Field errors of a form: the error's field (if any) → its message. */
export function fieldErrors(err: unknown, lang: Lang): Record<string, string> {
  if (err instanceof ApiError && err.field && (err.code === 'validation' || err.code === 'bad_request')) {
    return { [err.field]: validationText(err.field, err.message, lang) };
  }
  return {};
}
