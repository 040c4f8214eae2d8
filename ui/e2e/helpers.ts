import { expect, test as base, type Page, type TestInfo } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { OpInput, OpName, OpOutput } from '../src/api/ops';

export const baseURL = () => process.env.E2E_BASE_URL!;
export const adminPassword = () => process.env.E2E_PASSWORD!;

let token: string | null = null;

/** Runs an operation against the server directly (seeding, or "another desk"). */
export async function api<N extends OpName>(name: N, input: OpInput<N>, retry = true): Promise<OpOutput<N>> {
  if (!token && name !== 'auth.login') {
    token = (await api('auth.login', { username: 'admin', password: adminPassword() })).token;
  }
  const res = await fetch(`${baseURL()}/api/v1/ops/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(input),
  });
  const body = await res.json();
  if (res.status === 401 && name !== 'auth.login' && retry) {
    token = null; // the session ended (e.g. a logout): log in again once
    return api(name, input, false);
  }
  if (!res.ok) throw new Error(`${name}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

/**
 * The app's business clock, in ms since the epoch: global-setup starts
 * `loket serve --clock-start` at 10:00 in Jakarta and it runs at the real pace
 * from there, so a run never straddles the business day's midnight.
 */
export function appNow(): number {
  return Number(process.env.E2E_CLOCK_START_MS) + (Date.now() - Number(process.env.E2E_CLOCK_SET_AT_MS));
}

/** A calendar date in Asia/Jakarta, `days` from the app's today. */
export function jakartaDate(days = 0): string {
  const d = new Date(appNow() + days * 86_400_000);
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Jakarta' }).format(d);
}

let seq = 0;
/** A unique Indonesian mobile number for this run. */
export function uniquePhone(): string {
  seq += 1;
  const n = (Date.now() % 1_000_000) * 100 + seq;
  return `0812${String(n).padStart(8, '0').slice(-8)}`;
}

/** Logs in through the login screen (of the shared server, or of `base`: a desk of a test's own). */
export async function login(page: Page, username = 'admin', password = adminPassword(), base = baseURL()) {
  await page.goto(`${base}/`);
  await expect(page.getByLabel('Nama pengguna')).toBeFocused();
  await page.getByLabel('Nama pengguna').fill(username);
  await page.getByLabel('Kata sandi').fill(password);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('who')).toContainText(username);
}

export async function noRawJson(page: Page) {
  const text = await page.locator('body').innerText();
  expect(text).not.toContain('{"');
  expect(text).not.toContain('"error"');
}

function screenshotDir(info: TestInfo) {
  const dir = path.join(path.dirname(info.file), 'screenshots');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** An extra screenshot in the middle of a test. */
export async function snap(page: Page, name: string) {
  const info = base.info();
  await page.screenshot({ path: path.join(screenshotDir(info), `${name}.png`), fullPage: true });
}

/**
 * Every page runs on the app's clock (it flows at the real pace from there),
 * so the UI's "today" is the server's; every test leaves a screenshot in
 * e2e/screenshots/. A spec whose pages belong to a server on the real clock
 * (head office) turns the app's clock off with `test.use({ appClock: false })`.
 */
export const test = base.extend<{ shot: void; appClock: boolean }>({
  appClock: [true, { option: true }],
  page: async ({ page, appClock }, use) => {
    if (appClock) await page.clock.install({ time: appNow() });
    await use(page);
  },
  shot: [
    async ({ page }, use, info: TestInfo) => {
      await use();
      const dir = screenshotDir(info);
      const name = info.titlePath.slice(1).join(' - ').replace(/[^a-z0-9]+/gi, '-').toLowerCase();
      await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
    },
    { auto: true },
  ],
});
export { expect };
