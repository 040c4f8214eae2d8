// A fresh data directory, an admin user made with the `loket` binary, and
// `loket serve --port 0 --ui-dir dist`; the port is read from its first line.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
// @ts-expect-error plain ES module shared with the npm scripts
import { loketBin, uiDir } from '../scripts/loket-bin.mjs';

export default async function globalSetup() {
  const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (!existsSync(chromium)) {
    throw new Error(`${chromium} is missing: install Debian's Chromium (apt-get install chromium); no browser is downloaded`);
  }
  const bin: string = loketBin();
  const dist = path.join(uiDir, 'dist');
  if (!existsSync(path.join(dist, 'index.html'))) {
    throw new Error('ui/dist is missing: run `npm run build` (or `npm run e2e`, which builds it)');
  }
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'loket-e2e-'));
  const password = 'e2e-admin-password';
  const add = spawnSync(bin, ['user', 'add', 'admin', '--role', 'admin', '--password-stdin', '--data-dir', dataDir], {
    input: `${password}\n`,
    encoding: 'utf8',
  });
  if (add.status !== 0) throw new Error(`loket user add failed: ${add.stderr}`);

  // The app's clock: today's date in Jakarta at 10:00, running on from
  // there, so no test meets the business day's midnight (see helpers.appNow).
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Jakarta' }).format(new Date());
  const clockStart = `${today}T10:00:00+07:00`;
  const server = spawn(bin, ['serve', '--data-dir', dataDir, '--port', '0', '--ui-dir', dist, '--clock-start', clockStart], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, LOKET_LOG: process.env.LOKET_LOG ?? 'warn' },
  });
  process.env.E2E_CLOCK_SET_AT_MS = String(Date.now());
  process.env.E2E_CLOCK_START_MS = String(Date.parse(clockStart));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('loket serve did not start within 30 s')), 30_000);
    server.once('exit', (code) => reject(new Error(`loket serve exited with ${code}`)));
    const lines = readline.createInterface({ input: server.stdout! });
    lines.once('line', (line) => {
      clearTimeout(timer);
      const m = line.match(/listening on (http:\/\/\S+)/);
      if (m) resolve(m[1]);
      else reject(new Error(`unexpected first line from loket serve: ${line}`));
    });
  });
  // The server runs on that clock: a session it opens now lasts 16 h from 10:00.
  const login = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password }),
  });
  const { expires_at } = (await login.json()) as { expires_at: string };
  const opened = Date.parse(expires_at) - 16 * 3_600_000;
  if (!(Math.abs(opened - Date.parse(clockStart)) < 120_000)) {
    server.kill('SIGTERM');
    throw new Error(`loket serve ignored --clock-start ${clockStart}: a session opened now expires at ${expires_at}`);
  }
  process.env.E2E_BASE_URL = url;
  process.env.E2E_PASSWORD = password;
  console.log(`loket serve at ${url} (data ${dataDir})`);

  return async () => {
    server.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    rmSync(dataDir, { recursive: true, force: true });
  };
}
