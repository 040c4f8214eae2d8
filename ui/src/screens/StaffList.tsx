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
import { DataTable } from '../components/DataTable';
import { EditButton } from '../components/EditButton';
import { ErrorMessage } from '../components/ErrorMessage';
import { FilterSelect } from '../components/FilterSelect';
import { Form } from '../components/Form';
import { FormActions } from '../components/FormActions';
import { Modal } from '../components/Modal';
import { NewButton } from '../components/NewButton';
import { Page } from '../components/Page';
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
import { bindFields } from '../lib/useFormValues';
import { useSession, useToast } from '../session';

export function StaffList({ route }: { route: Route }) {
  const { t, tv } = useI18n();
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
    <Page
      title={t('staff.title')}
      subtitle={writable ? t('staff.subtitle') : `${t('staff.subtitle')} · ${t('staff.readOnly')}`}
      actions={
        writable && (
          <NewButton label={t('staff.new')} onClick={() => setEditing('new')} />
        )
      }
    >
      <div className="filters">
        <SearchFilter value={q} onChange={setQ} placeholder={t('staff.searchHint')} />
        <FilterSelect
          label={t('staff.show')}
          value={filter}
          onChange={(v) => setFilter(parseActiveFilter(v))}
          options={ACTIVE_FILTERS.map((f) => ({ value: f, label: t(`staff.filter.${f}`) }))}
        />
      </div>
      <ErrorMessage error={setActive.error} />
      <DataTable
        query={list}
        empty={t('staff.none')}
        onPage={setPage}
        testId="staff"
        rowKey={(s) => s.id}
        rowProps={(s) => ({ 'data-staff': s.staff_code, className: s.active ? '' : 'off' })}
        columns={[
          { id: 'code', header: t('staff.code'), className: 'mono nowrap', cell: (s) => <strong>{s.staff_code}</strong> },
          { id: 'name', header: t('staff.name'), cell: (s) => s.name },
          { id: 'short', header: t('staff.shortCode'), cell: (s) => s.short_code ?? '—' },
          { id: 'phone', header: t('staff.phone'), className: 'nowrap', cell: (s) => formatPhone(s.phone) },
          { id: 'email', header: t('staff.email'), cell: (s) => s.email ?? '—' },
          { id: 'employment', header: t('staff.employment'), cell: (s) => tv('employment', s.employment_status) },
          { id: 'active', header: t('bookings.status'), cell: (s) => <ActiveBadge active={s.active} /> },
          writable && {
            id: 'actions',
            header: t('common.actions'),
            className: 'actions',
            cell: (s) => (
              <>
                <EditButton onClick={() => setEditing(s)} />
                <Button kind="ghost" disabled={setActive.busy} onClick={() => void setActive.run(s, !s.active)}>
                  {s.active ? t('staff.deactivate') : t('staff.activate')}
                </Button>
              </>
            ),
          },
        ]}
      />
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
    </Page>
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
  const field = bindFields(f, set);
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
        <TextField {...field('name')} label={t('staff.name')} autoComplete="off" />
        <TextField {...field('short_code')} label={t('staff.shortCode')} placeholder={t('staff.shortCodeHint')} autoComplete="off" />
        {staff ? (
          <TextField name="staff_code" label={t('staff.code')} value={f.staff_code} onChange={() => {}} readOnly hint={t('staff.codeFixed')} />
        ) : (
          <TextField {...field('staff_code')} label={t('staff.code')} autoComplete="off" hint={t('staff.codeAuto')} />
        )}
        <SelectField
          name="employment_status"
          label={t('staff.employment')}
          value={f.employment_status}
          onChange={(v) => set('employment_status')(v as StaffForm['employment_status'])}
          options={EMPLOYMENT_STATUSES.map((e) => ({ value: e, label: tv('employment', e) }))}
        />
        <TextField {...field('phone')} label={t('staff.phone')} inputMode="tel" autoComplete="off" />
        <TextField {...field('email')} label={t('staff.email')} type="email" autoComplete="off" />
        <CheckField name="active" label={t('staff.activeHint')} checked={f.active} onChange={set('active')} />
        <FormActions onCancel={onClose} busy={save.busy} span2 />
      </Form>
    </Modal>
  );
}
