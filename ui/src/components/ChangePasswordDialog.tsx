// "Change my password": any logged-in user, the current password first.
// The core checks it (throttled like a login), refuses common passwords and
// ends the user's other sessions; this one stays.
import { call } from '../api/transport';
import { useI18n } from '../i18n';
import { useAction } from '../lib/queries';
import { useFormValues } from '../lib/useFormValues';
import { Form } from './Form';
import { FormActions } from './FormActions';
import { Modal } from './Modal';
import { TextField } from './TextField';

export function ChangePasswordDialog({ onClose, onSaved }: { onClose: () => void; onSaved: () => void }) {
  const { t } = useI18n();
  const { values: f, field } = useFormValues({ current_password: '', new_password: '', new_password_again: '' });
  const mismatch = f.new_password_again !== '' && f.new_password_again !== f.new_password;
  const save = useAction(
    async () => {
      await call('auth.change_password', { current_password: f.current_password, new_password: f.new_password });
      onSaved();
    },
    { refreshes: false },
  );
  return (
    <Modal title={t('password.title')} onClose={onClose}>
      <Form onSubmit={() => void (mismatch ? undefined : save.run())} error={save.error}>
        <TextField {...field('current_password')} label={t('password.current')} type="password" autoComplete="current-password" />
        <TextField
          {...field('new_password')}
          label={t('password.new')}
          type="password"
          autoComplete="new-password"
          hint={t('password.rules')}
        />
        <TextField
          {...field('new_password_again')}
          label={t('password.again')}
          type="password"
          autoComplete="new-password"
          localError={mismatch ? t('password.mismatch') : null}
        />
        <FormActions onCancel={onClose} busy={save.busy} />
      </Form>
    </Modal>
  );
}
