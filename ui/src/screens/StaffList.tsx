// Staff records: the people who handle bookings (picked on a booking, linked
// from a user). Everyone may read the list; admin and manager ('staff.write')
// create, edit and deactivate/activate. There is no delete: bookings name
// staff, so the core's `staff.delete` only deactivates.
import { useEffect, useState } from 'react';
import type { Staff } from '../api/ops';
import { ApiError, call } from '../api/transport';
import { ActiveBadge } from '../components/ActiveBadge';
import { Button } from '../components/Button';
import { CheckField } from '../components/CheckField';
import { ErrorMessage } from '../components/ErrorMessage';
import { Form } from '../components/Form';
import { FormActions } from '../components/FormActions';
import { Modal } from '../components/Modal';
import { PageHeader } from '../components/PageHeader';
import { Pagination } from '../components/Pagination';
import { Rows } from '../components/Rows';
import { SearchFilter } from '../components/SearchFilter';
import { SelectField } from '../components/SelectField';
import { TextField } from '../components/TextField';
import { useI18n } from '../i18n';
import { formatPhone } from '../lib/format';
import { useAction, useOp } from '../lib/queries';
import type { Route } from '../lib/router';
import {
  ACTIVE_FILTERS,
  EMPLOYMENT_STATUSES,
  activeParam,
  createInput,
  hasChanges,
  parseActiveFilter,
  staffForm,
  updateInput,
  type ActiveFilter,
  type StaffForm,
} from '../lib/staff';
import { useDebounced } from '../lib/useDebounced';
import { useSession, useToast } from '../session';

export function StaffList({ route }: { route: Route }) {
  const { t } = useI18n();
  const toast = useToast();
  const { can } = useSession();
  const writable = can('staff.write');
  const [q, setQ] = useState(route.query.get('q') ?? '');
  const dq = useDebounced(q.trim(), 250);
  const [filter, setFilter] = useState<ActiveFilter>(parseActiveFilter(route.query.get('active')));
  const [page, setPage] = useState(1);
  const [editing, setEditing] = useState<Staff | 'new' | null>(null);
  useEffect(() => setPage(1), [dq, filter]);
  const list = useOp('staff.list', { q: dq || null, active: activeParam(filter), page, page_size: 25 });
  const setActive = useAction(async (s: Staff, active: boolean) => {
    await call('staff.update', { id: s.id, version: s.version, active });
    toast(t(active ? 'staff.activated' : 'staff.deactivated', { name: s.name }));
  });
  return (
    <div>
      <PageHeader
        title={t('staff.title')}
        subtitle={writable ? t('staff.subtitle') : `${t('staff.subtitle')} · ${t('staff.readOnly')}`}
        actions={
          writable && (
            <Button kind="primary" onClick={() => setEditing('new')}>
              + {t('staff.new')}
            </Button>
          )
        }
      />
      <div className="filters">
        <SearchFilter value={q} onChange={setQ} placeholder={t('staff.searchHint')} />
        <label className="filter">
          <span>{t('staff.show')}</span>
          <select value={filter} onChange={(e) => setFilter(parseActiveFilter(e.target.value))}>
            {ACTIVE_FILTERS.map((f) => (
              <option key={f} value={f}>
                {t(`staff.filter.${f}`)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorMessage error={list.error ?? setActive.error} />
      <Rows query={list} empty={t('staff.none')}>
        {(rows) => (
          <div className="table-wrap">
            <table className="table" data-testid="staff">
              <thead>
                <tr>
                  <th>{t('staff.code')}</th>
                  <th>{t('staff.name')}</th>
                  <th>{t('staff.shortCode')}</th>
                  <th>{t('staff.phone')}</th>
                  <th>{t('staff.email')}</th>
                  <th>{t('staff.employment')}</th>
                  <th>{t('bookings.status')}</th>
                  {writable && <th>{t('common.actions')}</th>}
                </tr>
              </thead>
              <tbody>
                {rows.map((s) => (
                  <StaffRow
                    key={s.id}
                    s={s}
                    actions={
                      writable
                        ? {
                            busy: setActive.busy,
                            onEdit: () => setEditing(s),
                            onActive: (active) => void setActive.run(s, active),
                          }
                        : undefined
                    }
                  />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Rows>
      <Pagination meta={list.data?.meta} onPage={setPage} />
      {editing && writable && (
        <StaffEditor
          staff={editing === 'new' ? undefined : editing}
          onClose={() => setEditing(null)}
          onSaved={(s, created) => {
            setEditing(null);
            toast(t(created ? 'staff.created' : 'staff.saved', { code: s.staff_code, name: s.name }));
          }}
        />
      )}
    </div>
  );
}

function StaffRow({
  s,
  actions,
}: {
  s: Staff;
  actions?: { busy: boolean; onEdit: () => void; onActive: (active: boolean) => void };
}) {
  const { t, tv } = useI18n();
  return (
    <tr data-staff={s.staff_code} className={s.active ? '' : 'off'}>
      <td className="mono nowrap">
        <strong>{s.staff_code}</strong>
      </td>
      <td>{s.name}</td>
      <td>{s.short_code ?? '—'}</td>
      <td className="nowrap">{formatPhone(s.phone)}</td>
      <td>{s.email ?? '—'}</td>
      <td>{tv('employment', s.employment_status)}</td>
      <td><ActiveBadge active={s.active} /></td>
      {actions && (
        <td className="actions">
          <Button kind="ghost" onClick={actions.onEdit}>
            ✎ {t('common.edit')}
          </Button>
          <Button kind="ghost" disabled={actions.busy} onClick={() => actions.onActive(!s.active)}>
            {s.active ? t('staff.deactivate') : t('staff.activate')}
          </Button>
        </td>
      )}
    </tr>
  );
}

function StaffEditor({
  staff,
  onClose,
  onSaved,
}: {
  staff?: Staff;
  onClose: () => void;
  onSaved: (s: Staff, created: boolean) => void;
}) {
  const { t, tv } = useI18n();
  const [initial] = useState(() => staffForm(staff));
  const [f, setF] = useState<StaffForm>(initial);
  const set =
    <K extends keyof StaffForm>(k: K) =>
    (v: StaffForm[K]) => {
      // the core's message for this field goes once it is being corrected
      if (save.error instanceof ApiError && save.error.field === k) save.clearError();
      setF((s) => ({ ...s, [k]: v }));
    };
  const save = useAction(async () => {
    if (!staff) {
      onSaved(await call('staff.create', createInput(f)), true);
      return;
    }
    const input = updateInput(staff, initial, f);
    if (!hasChanges(input)) {
      onClose();
      return;
    }
    onSaved(await call('staff.update', input), false);
  });
  return (
    <Modal title={staff ? t('staff.edit', { code: staff.staff_code }) : t('staff.new')} onClose={onClose} wide>
      <Form onSubmit={() => void save.run()} error={save.error} className="form grid-2">
        <TextField name="name" label={t('staff.name')} value={f.name} onChange={set('name')} autoComplete="off" />
        <TextField
          name="short_code"
          label={t('staff.shortCode')}
          value={f.short_code}
          onChange={set('short_code')}
          placeholder={t('staff.shortCodeHint')}
          autoComplete="off"
        />
        {staff ? (
          <TextField name="staff_code" label={t('staff.code')} value={f.staff_code} onChange={() => {}} readOnly hint={t('staff.codeFixed')} />
        ) : (
          <TextField
            name="staff_code"
            label={t('staff.code')}
            value={f.staff_code}
            onChange={set('staff_code')}
            autoComplete="off"
            hint={t('staff.codeAuto')}
          />
        )}
        <SelectField
          name="employment_status"
          label={t('staff.employment')}
          value={f.employment_status}
          onChange={(v) => set('employment_status')(v as StaffForm['employment_status'])}
          options={EMPLOYMENT_STATUSES.map((e) => ({ value: e, label: tv('employment', e) }))}
        />
        <TextField name="phone" label={t('staff.phone')} value={f.phone} onChange={set('phone')} inputMode="tel" autoComplete="off" />
        <TextField name="email" label={t('staff.email')} type="email" value={f.email} onChange={set('email')} autoComplete="off" />
        <CheckField name="active" label={t('staff.activeHint')} checked={f.active} onChange={set('active')} />
        <FormActions onCancel={onClose} busy={save.busy} span2 />
      </Form>
    </Modal>
  );
}
