// "Change my password": any logged-in user, the current password first.
// The core checks it (throttled like a login), refuses common passwords and
// ends the user's other sessions; this one stays.
import { useState } from 'react';
import { call } from '../api/transport';
import { useI18n } from '../i18n';
import { useAction } from '../lib/queries';
import { Form } from './Form';
import { FormActions } from './FormActions';
import { Modal } from './Modal';
import { TextField } from './TextField';

export function ChangePasswordDialog({ onClose, onSaved }: { onClose: () => void; onSaved: () => void }) {
  const { t } = useI18n();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const mismatch = again !== '' && again !== next;
  const save = useAction(
    async () => {
      await call('auth.change_password', { current_password: current, new_password: next });
      onSaved();
    },
    { refreshes: false },
  );
  return (
    <Modal title={t('password.title')} onClose={onClose}>
      <Form onSubmit={() => void (mismatch ? undefined : save.run())} error={save.error}>
        <TextField
          name="current_password"
          label={t('password.current')}
          type="password"
          value={current}
          onChange={setCurrent}
          autoComplete="current-password"
        />
        <TextField
          name="new_password"
          label={t('password.new')}
          type="password"
          value={next}
          onChange={setNext}
          autoComplete="new-password"
          hint={t('password.rules')}
        />
        <TextField
          name="new_password_again"
          label={t('password.again')}
          type="password"
          value={again}
          onChange={setAgain}
          autoComplete="new-password"
          localError={mismatch ? t('password.mismatch') : null}
        />
        <FormActions onCancel={onClose} busy={save.busy} />
      </Form>
    </Modal>
  );
}
