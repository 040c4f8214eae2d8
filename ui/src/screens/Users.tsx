// Users (admin): roles, activate/deactivate, new users and password resets.
import { useState } from 'react';
import type { Role, User } from '../api/ops';
import { call } from '../api/transport';
import { ActiveBadge } from '../components/ActiveBadge';
import { Button } from '../components/Button';
import { DataTable } from '../components/DataTable';
import { ErrorMessage } from '../components/ErrorMessage';
import { Form } from '../components/Form';
import { FormActions } from '../components/FormActions';
import { Modal } from '../components/Modal';
import { NewButton } from '../components/NewButton';
import { Page } from '../components/Page';
import { SelectField } from '../components/SelectField';
import { TextField } from '../components/TextField';
import { useI18n } from '../i18n';
import { formatDateTime } from '../lib/format';
import { useAction, useOp } from '../lib/queries';
import { useFormValues } from '../lib/useFormValues';
import { useSession, useToast } from '../session';

const ROLES: Role[] = ['admin', 'manager', 'marketing', 'sales', 'front_desk'];

export function Users() {
  const { t, tv, lang } = useI18n();
  const { tz, user: me } = useSession();
  const toast = useToast();
  const users = useOp('users.list', { page_size: 200 });
  const [creating, setCreating] = useState(false);
  const [resetting, setResetting] = useState<User | null>(null);
  const update = useAction(async (u: User, patch: { role?: Role; active?: boolean }) => {
    if (patch.active === false) {
      if (!window.confirm(t('users.deactivateConfirm', { name: u.username }))) return;
      await call('users.delete', { id: u.id });
    } else {
      await call('users.update', { id: u.id, version: u.version, ...patch });
    }
    toast(t('common.saved'));
  });
  return (
    <Page
      title={t('users.title')}
      actions={
        <NewButton label={t('users.new')} onClick={() => setCreating(true)} />
      }
    >
      <ErrorMessage error={update.error} />
      <DataTable
        query={users}
        rowKey={(u) => u.id}
        rowProps={(u) => ({ className: u.active ? '' : 'off' })}
        columns={[
          { id: 'username', header: t('users.username'), cell: (u) => <strong>{u.username}</strong> },
          {
            id: 'role',
            header: t('users.role'),
            cell: (u) => (
              <select
                aria-label={`${t('users.role')} ${u.username}`}
                value={u.role}
                disabled={update.busy || u.id === me?.id}
                onChange={(e) => void update.run(u, { role: e.target.value as Role })}
              >
                {ROLES.map((r) => (
                  <option key={r} value={r}>
                    {tv('role', r)}
                  </option>
                ))}
              </select>
            ),
          },
          { id: 'active', header: t('bookings.status'), cell: (u) => <ActiveBadge active={u.active} /> },
          {
            id: 'since',
            header: t('users.since'),
            className: 'small',
            cell: (u) => formatDateTime(u.created_at, tz, lang, { weekday: false }),
          },
          {
            id: 'actions',
            header: t('common.actions'),
            className: 'actions',
            cell: (u) => (
              <>
                <Button kind="ghost" onClick={() => setResetting(u)}>
                  {t('users.resetPassword')}
                </Button>
                {u.id !== me?.id && (
                  <Button kind="ghost" onClick={() => void update.run(u, { active: !u.active })}>
                    {u.active ? t('users.deactivate') : t('users.activate')}
                  </Button>
                )}
              </>
            ),
          },
        ]}
      />
      {creating && (
        <NewUser
          onClose={() => setCreating(false)}
          onSaved={(name) => {
            setCreating(false);
            toast(t('users.created', { name }));
          }}
        />
      )}
      {resetting && (
        <ResetPassword
          user={resetting}
          onClose={() => setResetting(null)}
          onSaved={() => {
            toast(t('users.passwordReset', { name: resetting.username }));
            setResetting(null);
          }}
        />
      )}
    </Page>
  );
}

function NewUser({ onClose, onSaved }: { onClose: () => void; onSaved: (name: string) => void }) {
  const { t, tv } = useI18n();
  const { values: f, field } = useFormValues({ username: '', password: '', role: 'front_desk' });
  const save = useAction(async () => {
    const u = await call('users.create', { username: f.username.trim(), password: f.password, role: f.role as Role });
    onSaved(u.username);
  });
  return (
    <Modal title={t('users.new')} onClose={onClose}>
      <Form onSubmit={() => void save.run()} error={save.error}>
        <TextField {...field('username')} label={t('users.username')} autoComplete="off" />
        <TextField {...field('password')} label={t('users.password')} type="password" autoComplete="new-password" />
        <SelectField {...field('role')} label={t('users.role')} options={ROLES.map((r) => ({ value: r, label: tv('role', r) }))} />
        <FormActions onCancel={onClose} busy={save.busy} />
      </Form>
    </Modal>
  );
}

function ResetPassword({ user, onClose, onSaved }: { user: User; onClose: () => void; onSaved: () => void }) {
  const { t } = useI18n();
  const [password, setPassword] = useState('');
  const save = useAction(async () => {
    await call('users.update', { id: user.id, version: user.version, password });
    onSaved();
  });
  return (
    <Modal title={`${t('users.resetPassword')}: ${user.username}`} onClose={onClose}>
      <Form onSubmit={() => void save.run()} error={save.error}>
        <TextField name="password" label={t('users.newPassword')} type="password" value={password} onChange={setPassword} autoComplete="new-password" />
        <FormActions onCancel={onClose} busy={save.busy} />
      </Form>
    </Modal>
  );
}
