// Real parts for the sync tests: a throwaway PostgreSQL cluster (initdb in a
// temp dir, pg_ctl on a free port on 127.0.0.1; as root it runs as the
// `postgres` user, which PostgreSQL insists on), a real `loket-hq serve` on
// it, and a desk of their own (`loket serve` with its own data directory),
// so the shared e2e server never gets sync configured. Everything started
// here is stopped by `stop()`.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
// @ts-expect-error plain ES module shared with the npm scripts
import { loketBin, uiDir } from '../scripts/loket-bin.mjs';

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** PostgreSQL's server programs: $LOKET_PG_BIN, else the newest /usr/lib/postgresql/N/bin. */
export function pgBinDir(): string {
  const missing = (where: string) =>
    new Error(
      "The sync tests need PostgreSQL's server programs (initdb, pg_ctl) for a throwaway head office, " +
        `and none were found ${where}. Install them: apt-get install postgresql`,
    );
  if (process.env.LOKET_PG_BIN) {
    if (!existsSync(path.join(process.env.LOKET_PG_BIN, 'initdb'))) throw missing(`in $LOKET_PG_BIN (${process.env.LOKET_PG_BIN})`);
    return process.env.LOKET_PG_BIN;
  }
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => /^\d+$/.test(v) && existsSync(path.join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(a) - Number(b))
    : [];
  if (!versions.length) throw missing('under /usr/lib/postgresql/*/bin (or in $LOKET_PG_BIN)');
  return path.join(root, versions[versions.length - 1], 'bin');
}

/** `loket-hq`: $LOKET_HQ_BIN, else next to the `loket` binary the UI scripts use. */
export function hqBin(): string {
  const bin = process.env.LOKET_HQ_BIN
    ? path.resolve(uiDir, process.env.LOKET_HQ_BIN)
    : path.join(path.dirname(loketBin()), 'loket-hq');
  if (!existsSync(bin)) {
    throw new Error(`loket-hq not found at ${bin}: build it (cargo build -p loket-hq) or set LOKET_HQ_BIN`);
  }
  return bin;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** A PostgreSQL program, as `postgres` when we are root. */
function pg(bin: string, args: string[]) {
  const [cmd, argv] = isRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  return spawnSync(cmd, argv, { encoding: 'utf8', timeout: 60_000 });
}

/** Starts `cmd` and waits for its first line on stdout to match `re`; answers the match's first group. */
function startServer(cmd: string, args: string[], re: RegExp, what: string, env: NodeJS.ProcessEnv = {}) {
  const child = spawn(cmd, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LOKET_LOG: process.env.LOKET_LOG ?? 'warn', ...env },
  });
  let stderr = '';
  child.stderr!.on('data', (d) => {
    stderr = (stderr + String(d)).slice(-4000);
  });
  const url = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start within 30 s: ${stderr}`)), 30_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code}: ${stderr}`));
    });
    const lines = readline.createInterface({ input: child.stdout! });
    lines.once('line', (line) => {
      clearTimeout(timer);
      const m = line.match(re);
      if (m) resolve(m[1]);
      else reject(new Error(`unexpected first line from ${what}: ${line}`));
    });
  });
  return { child, url };
}

async function stopChild(child: ChildProcess | null) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGCONT'); // in case a test left it paused
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await gone;
  clearTimeout(timer);
}

export interface Branch {
  id: string;
  name: string;
  token: string;
}

export interface HeadOffice {
  /** loket-hq's address: `http://127.0.0.1:PORT`. */
  url: string;
  databaseUrl: string;
  /** `loket-hq branch add NAME --json`: a new branch and its token. */
  enrol(name: string): Branch;
  /** `loket-hq user add NAME --role ROLE --password-stdin`: a head-office login. */
  addUser(username: string, role: 'hq_admin' | 'hq_viewer', password: string): void;
  /** Runs `query` on head office's database; psql's unaligned answer, trimmed. */
  sql(query: string): string;
  /** Freezes loket-hq (SIGSTOP): connections are taken but never answered, as with a stalled head office. */
  pause(): void;
  /** Lets it go on (SIGCONT). */
  resume(): void;
  stop(): Promise<void>;
}

/**
 * A PostgreSQL cluster in a temp dir and `loket-hq serve` on it; with
 * `page`, serving head office's web page from the built ui/dist-hq
 * (`--ui-dir`), so the binary need not have been built after it.
 */
export async function startHeadOffice({ page = false }: { page?: boolean } = {}): Promise<HeadOffice> {
  const pgBin = pgBinDir();
  const hq = hqBin();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'loket-e2e-hq-'));
  const data = path.join(dir, 'data');
  let port = 0;
  let started = false;
  let server: ChildProcess | null = null;
  const stop = async () => {
    await stopChild(server);
    if (started) pg(path.join(pgBin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    if (isRoot) spawnSync('chown', ['postgres:postgres', dir]);
    else chmodSync(dir, 0o700);
    const init = pg(path.join(pgBin, 'initdb'), [
      '-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C.UTF-8',
    ]);
    if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr || init.error}`);
    let lastError = '';
    for (let i = 0; i < 3 && !started; i++) {
      port = await freePort();
      const r = pg(path.join(pgBin, 'pg_ctl'), [
        '-D', data, '-l', path.join(dir, 'server.log'), '-w', '-o',
        `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off`, 'start',
      ]);
      started = r.status === 0;
      lastError = r.stderr || r.stdout;
    }
    if (!started) throw new Error(`PostgreSQL did not start: ${lastError}`);
    const create = spawnSync(path.join(pgBin, 'psql'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-qc', 'CREATE DATABASE loket_hq'], { encoding: 'utf8' });
    if (create.status !== 0) throw new Error(`CREATE DATABASE failed: ${create.stderr}`);
    const databaseUrl = `postgres://postgres@127.0.0.1:${port}/loket_hq`;
    const args = ['serve', '--database-url', databaseUrl, '--port', '0', '--sealing-key', path.join(dir, 'sealing.key')];
    if (page) {
      const dist = path.join(uiDir, 'dist-hq');
      if (!existsSync(path.join(dist, 'index.html'))) {
        throw new Error('ui/dist-hq is missing: run `npm run build` (or `npm run e2e`, which builds it)');
      }
      args.push('--ui-dir', dist);
    }
    const s = startServer(hq, args, /listening on (https?:\/\/\S+)/, 'loket-hq serve');
    server = s.child;
    const url = await s.url;
    return {
      url,
      databaseUrl,
      enrol(name: string) {
        const r = spawnSync(hq, ['branch', 'add', name, '--json', '--database-url', databaseUrl], { encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`loket-hq branch add failed: ${r.stderr}`);
        return JSON.parse(r.stdout) as Branch;
      },
      addUser(username, role, password) {
        const r = spawnSync(hq, ['user', 'add', username, '--role', role, '--password-stdin', '--database-url', databaseUrl], {
          input: `${password}\n`,
          encoding: 'utf8',
        });
        if (r.status !== 0) throw new Error(`loket-hq user add failed: ${r.stderr}`);
      },
      sql(query: string) {
        const r = spawnSync(path.join(pgBin, 'psql'), [databaseUrl, '-Atqc', query], { encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`psql failed: ${r.stderr}`);
        return r.stdout.trim();
      },
      pause() {
        server?.kill('SIGSTOP');
      },
      resume() {
        server?.kill('SIGCONT');
      },
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

export interface Desk {
  url: string;
  dataDir: string;
  password: string;
  stop(): Promise<void>;
}

/**
 * A desk of its own: a fresh data directory, an admin, `loket serve` on the
 * built UI, its clock starting at `clockStart` (the shared server's, so the
 * browser's clock and this desk's agree).
 */
export async function startDesk(clockStart: Date): Promise<Desk> {
  const bin: string = loketBin();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'loket-e2e-desk-'));
  const password = 'e2e-sync-admin-password';
  const add = spawnSync(bin, ['user', 'add', 'admin', '--role', 'admin', '--password-stdin', '--data-dir', dataDir], {
    input: `${password}\n`,
    encoding: 'utf8',
  });
  if (add.status !== 0) {
    rmSync(dataDir, { recursive: true, force: true });
    throw new Error(`loket user add failed: ${add.stderr}`);
  }
  const s = startServer(
    bin,
    ['serve', '--data-dir', dataDir, '--port', '0', '--ui-dir', path.join(uiDir, 'dist'), '--clock-start', clockStart.toISOString()],
    /listening on (http:\/\/\S+)/,
    'loket serve (sync desk)',
  );
  const stop = async () => {
    await stopChild(s.child);
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    return { url: await s.url, dataDir, password, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
