import { useState } from 'react';
import { call } from '../api/transport';
import { Button } from '../components/Button';
import { CustomerEditor } from '../components/CustomerEditor';
import { CustomerVehicles } from '../components/CustomerVehicles';
import { DataTable } from '../components/DataTable';
import { DefinitionList } from '../components/DefinitionList';
import { ErrorMessage } from '../components/ErrorMessage';
import { Loading } from '../components/Loading';
import { Page } from '../components/Page';
import { useI18n } from '../i18n';
import { useBookingColumns } from '../lib/bookingColumns';
import { formatDate, formatDateTime, formatPhone, formatRupiah } from '../lib/format';
import { setOpData, useAction, useOp } from '../lib/queries';
import { navigate, type Route } from '../lib/router';
import { useSession, useToast } from '../session';

export function CustomerDetail({ route }: { route: Route }) {
  const id = route.params.id ?? '';
  const { t, tv, lang } = useI18n();
  const { tz, can } = useSession();
  const toast = useToast();
  const columns = useBookingColumns();
  const customer = useOp('customers.get', { id });
  const [page, setPage] = useState(1);
  const bookings = useOp('customers.bookings', { id, page, page_size: 20, sort: 'booking_date:desc' });
  const [editing, setEditing] = useState(false);
  const remove = useAction(async () => {
    await call('customers.delete', { id });
    toast(t('common.saved'));
    navigate('/customers');
  });
  if (customer.isPending) return <Loading />;
  if (!customer.data) return <ErrorMessage error={customer.error} />;
  const c = customer.data;
  const masked = !can('customers.sensitive');
  return (
    <Page
      title={`${c.name}`}
      subtitle={c.code}
      actions={
        <>
          <Button kind="primary" onClick={() => navigate(`/bookings/new?customer=${c.id}`)}>
            + {t('nav.newBooking')}
          </Button>
          <Button onClick={() => setEditing(true)}>✎ {t('common.edit')}</Button>
          {can('customers.delete') && (
            <Button
              kind="danger"
              busy={remove.busy}
              onClick={() => window.confirm(t('customers.deleteConfirm', { code: c.code })) && void remove.run()}
            >
              {t('common.delete')}
            </Button>
          )}
        </>
      }
    >
      <ErrorMessage error={remove.error} />
      <div className="cards">
        <section className="card">
          <h2>{t('common.details')}</h2>
          <DefinitionList
            items={[
              [t('customers.phone'), formatPhone(c.phone)],
              [t('customers.email'), c.email ?? '—'],
              [t('customers.gender'), tv('gender', c.gender)],
              [t('customers.address'), c.address ?? '—'],
              [t('customers.birthDate'), formatDate(c.birth_date, lang)],
              [t('customers.birthPlace'), c.birth_place ?? '—'],
              [t('customers.occupation'), c.occupation ?? '—'],
              [t('customers.income'), c.monthly_income ? formatRupiah(c.monthly_income) : '—'],
              [t('customers.emergency'), c.emergency_contact ?? '—'],
              [t('customers.type'), c.customer_type ?? '—'],
              [t('customers.language'), c.language ? tv('language', c.language) : t('customers.languageDefault')],
            ]}
          />
        </section>
        <section className="card">
          <h2>KTP / NPWP</h2>
          <DefinitionList
            items={[
              [t('customers.ktp'), c.unavailable?.includes('ktp_number') ? <span className="muted">{t('customers.unavailable')}</span> : <span className="mono">{c.ktp_number ?? '—'}</span>],
              [t('customers.npwp'), c.unavailable?.includes('npwp_number') ? <span className="muted">{t('customers.unavailable')}</span> : <span className="mono">{c.npwp_number ?? '—'}</span>],
            ]}
          />
          {masked && <p className="muted small">({t('customers.masked')})</p>}
          <DefinitionList items={[[t('customers.lastBooking'), formatDateTime(c.last_booking_at, tz, lang)]]} />
        </section>
      </div>
      <section className="card">
        <h2>{t('customers.bookings')}</h2>
        <DataTable
          query={bookings}
          empty={t('bookings.none')}
          onPage={setPage}
          bare
          rowKey={(b) => b.id}
          rowProps={(b) => ({ className: 'clickable', onClick: () => navigate(`/bookings/${b.id}`) })}
          columns={[columns.code, columns.event, columns.price, columns.status, columns.payment, columns.segment]}
        />
      </section>
      <CustomerVehicles customerId={c.id} />
      {editing && (
        <CustomerEditor
          customer={c}
          masked={masked}
          onClose={() => setEditing(false)}
          onSaved={(n) => {
            setEditing(false);
            setOpData('customers.get', { id }, n);
            toast(t('common.saved'));
          }}
        />
      )}
    </Page>
  );
}
