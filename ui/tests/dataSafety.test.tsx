import { act } from 'react';
import { QueryClientProvider } from '@tanstack/react-query';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, describe, expect, it } from 'vitest';
import type { OpName } from '../src/api/ops';
import { ApiError, setTransport } from '../src/api/transport';
import { BackupPanel } from '../src/components/BackupPanel';
import { FirstStartRestore } from '../src/components/FirstStartRestore';
import { StatusBanner } from '../src/components/StatusBanner';
import { I18nProvider } from '../src/i18n';
import { errorText } from '../src/i18n/errors';
import { backupFormErrors, backupWarning, formatSize, statusBanner, type SystemStatus } from '../src/lib/dataSafety';
import { makeQueryClient } from '../src/lib/queries';
import { SessionProvider, ToastProvider } from '../src/session';

(globalThis as unknown as { IS_REACT_ACT_ENVIRONMENT: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const tick = () => act(async () => new Promise((r) => setTimeout(r, 10)));

const ok: SystemStatus = { database: 'ok', message: null, last_backup_at: '2026-12-01T08:00:00.000Z', backup_warning: null };

describe('the banner over every screen', () => {
  it('says the database is damaged, or being checked, and nothing when it is fine', () => {
    expect(statusBanner(ok)).toBeNull();
    expect(statusBanner(undefined)).toBeNull();
    expect(statusBanner({ ...ok, database: 'damaged', message: 'database damaged' })).toEqual({ kind: 'error', key: 'safety.damaged' });
    expect(statusBanner({ ...ok, database: 'checking' })).toEqual({ kind: 'info', key: 'safety.checking' });
  });
});

describe('the dashboard backup warning', () => {
  const now = Date.parse('2026-12-05T08:00:00.000Z');
  it('follows the core: none when it says nothing', () => {
    expect(backupWarning(ok, true, now)).toBeNull();
  });
  it('counts the days since the last good backup, and says who acts', () => {
    const old = { ...ok, backup_warning: 'old' };
    expect(backupWarning(old, true, now)).toEqual({ key: 'safety.oldBackup', days: 4, todo: 'safety.backupAction' });
    expect(backupWarning(old, false, now)?.todo).toBe('safety.backupAskAdmin');
  });
  it('says when there was never one', () => {
    expect(backupWarning({ ...ok, last_backup_at: null, backup_warning: 'none' }, true, now)?.key).toBe('safety.noBackup');
  });
});

describe('the backup form', () => {
  it('asks for a full path and a passphrase of 8 characters before calling the core', () => {
    expect(backupFormErrors('usb', 'rahasia')).toEqual({ folder: 'safety.folderFull', passphrase: 'safety.passphraseShort' });
    expect(backupFormErrors('/media/usb', 'rahasia-toko')).toEqual({});
    expect(backupFormErrors('D:\\cadangan', 'rahasia-toko')).toEqual({});
  });
  it('shows sizes in words', () => {
    expect(formatSize(512)).toBe('512 B');
    expect(formatSize(1536)).toBe('1.5 KB');
    expect(formatSize(25 * 1024 * 1024)).toBe('25 MB');
    expect(formatSize(null)).toBe('');
  });
});

describe('data-safety errors in words', () => {
  it('a refused write on a damaged database, a full disk, a refused backup', () => {
    const ro = new ApiError('read_only', 'database damaged: restore from the last backup', null, 503);
    expect(errorText(ro, 'en')).toContain('restore from the last backup');
    expect(errorText(ro, 'id')).toContain('memulihkan cadangan terakhir');
    expect(errorText(new ApiError('disk_full', 'disk full', null, 507), 'id')).toContain('Disk penuh');
    expect(errorText(new ApiError('backup_invalid', 'made by a newer Loket', null, 422), 'en')).toContain('newer Loket');
  });
});

describe('on screen', () => {
  let root: Root | null = null;
  afterEach(() => {
    act(() => root?.unmount());
    setTransport(null);
  });

  async function render(node: React.ReactNode, answer: (name: OpName, input: unknown) => unknown) {
    setTransport({ kind: 'http', call: async (name: OpName, input: unknown) => answer(name, input) as never });
    const host = document.createElement('div');
    document.body.appendChild(host);
    root = createRoot(host);
    await act(async () =>
      root!.render(
        <I18nProvider lang="id">
          <QueryClientProvider client={makeQueryClient()}>
            <SessionProvider>
              <ToastProvider>{node}</ToastProvider>
            </SessionProvider>
          </QueryClientProvider>
        </I18nProvider>,
      ),
    );
    await tick();
    return host;
  }

  it('the banner says what to do when the database is damaged', async () => {
    const host = await render(<StatusBanner />, () => ({ ...ok, database: 'damaged', message: 'x' }));
    expect(host.querySelector('[data-testid="status-banner"]')?.textContent).toContain('Basis data rusak');
  });

  it('backs up into the folder with the passphrase, after checking them', async () => {
    const calls: [string, unknown][] = [];
    const host = await render(<BackupPanel />, (name, input) => {
      calls.push([name, input]);
      if (name === 'backup.list') return { schedule: { folder: null, keep: 7, passphrase_set: false }, last_ok_at: null, warning: 'none', recent: [] };
      if (name === 'backup.create') return { id: 1, path: '/media/usb/loket-backup-20261202-080000.tar.gz', ok: true, trigger: 'manual', started_at: '', finished_at: '', size_bytes: 10, error: null };
      return {};
    });
    expect(host.textContent).toContain('Belum ada cadangan');
    const form = host.querySelector<HTMLFormElement>('#backup-now')!;
    const type = (name: string, value: string) => {
      const input = form.querySelector<HTMLInputElement>(`input[name="${name}"]`)!;
      const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
      setter.call(input, value);
      input.dispatchEvent(new Event('input', { bubbles: true }));
    };
    await act(async () => {
      type('folder', 'usb');
      type('passphrase', 'pendek');
    });
    await act(async () => form.requestSubmit());
    await tick();
    expect(calls.some(([n]) => n === 'backup.create')).toBe(false);
    expect(form.textContent).toContain('jalur lengkap');
    await act(async () => {
      type('folder', '/media/usb');
      type('passphrase', 'rahasia-toko-2026');
    });
    await act(async () => form.requestSubmit());
    await tick();
    expect(calls).toContainEqual(['backup.create', { folder: '/media/usb', passphrase: 'rahasia-toko-2026' }]);
  });

  it('a fresh install restores a backup from the login screen, and shows a refusal in words', async () => {
    const calls: [string, unknown][] = [];
    let refuse = true;
    const host = await render(<FirstStartRestore />, (name, input) => {
      calls.push([name, input]);
      if (name === 'backup.restore' && refuse) {
        throw new ApiError('validation', 'wrong passphrase (or the archive was changed): nothing was restored', 'passphrase', 422);
      }
      return { backup_created_at: '2026-12-01T08:00:00.000Z', schema_version: 7, kept_aside: '/d/replaced-1' };
    });
    const open = [...host.querySelectorAll('button')].find((b) => b.textContent?.includes('Pulihkan cadangan'))!;
    await act(async () => open.click());
    const form = host.querySelector<HTMLFormElement>('#restore-form')!;
    const type = (name: string, value: string) => {
      const input = form.querySelector<HTMLInputElement>(`input[name="${name}"]`)!;
      Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!.call(input, value);
      input.dispatchEvent(new Event('input', { bubbles: true }));
    };
    await act(async () => {
      type('path', '/media/usb/loket-backup-20261201-080000.tar.gz');
      type('passphrase', 'salah sekali');
    });
    await act(async () => form.requestSubmit());
    await tick();
    expect(calls).toContainEqual(['backup.restore', { path: '/media/usb/loket-backup-20261201-080000.tar.gz', passphrase: 'salah sekali' }]);
    expect(form.textContent).toContain('wrong passphrase');
    refuse = false;
    await act(async () => type('passphrase', 'kunci cadangan toko'));
    await act(async () => form.requestSubmit());
    await tick();
    expect(host.textContent).toContain('Cadangan dipulihkan');
  });
});
