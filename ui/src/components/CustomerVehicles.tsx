import { useState } from 'react';
import type { Vehicle } from '../api/ops';
import { useI18n } from '../i18n';
import { formatDate } from '../lib/format';
import { useOp } from '../lib/queries';
import { useToast } from '../session';
import { Button } from './Button';
import { Empty } from './Empty';
import { ErrorMessage } from './ErrorMessage';
import { Loading } from './Loading';
import { NextService } from './NextService';
import { VehicleEditor } from './VehicleEditor';

/** The vehicles of one customer, on the customer's page. */
export function CustomerVehicles({ customerId }: { customerId: string }) {
  const { t, lang } = useI18n();
  const toast = useToast();
  const list = useOp('vehicles.list', { customer_id: customerId, page_size: 50 });
  const [editing, setEditing] = useState<Vehicle | 'new' | null>(null);
  return (
    <section className="card" data-testid="customer-vehicles">
      <div className="card-head">
        <h2>{t('vehicles.title')}</h2>
        <Button onClick={() => setEditing('new')}>+ {t('vehicles.add')}</Button>
      </div>
      <ErrorMessage error={list.error} />
      {!list.data?.data.length ? (
        list.isFetching ? <Loading /> : <Empty text={t('vehicles.noneForCustomer')} />
      ) : (
        <table className="table compact">
          <thead>
            <tr>
              <th>{t('vehicles.plate')}</th>
              <th>{t('vehicles.model')}</th>
              <th>{t('vehicles.year')}</th>
              <th>{t('vehicles.lastService')}</th>
              <th>{t('vehicles.nextService')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.data.data.map((v) => (
              <tr key={v.id} data-plate={v.plate_number}>
                <td className="mono nowrap">
                  <strong>{v.plate_number}</strong>
                </td>
                <td>{v.model}</td>
                <td>{v.year ?? '—'}</td>
                <td className="nowrap">{formatDate(v.last_service_at, lang)}</td>
                <td>
                  <NextService v={v} />
                </td>
                <td className="actions">
                  <Button kind="ghost" onClick={() => setEditing(v)}>
                    ✎ {t('common.edit')}
                  </Button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {editing && (
        <VehicleEditor
          vehicle={editing === 'new' ? undefined : editing}
          customerId={customerId}
          fixedCustomer={editing === 'new'}
          onClose={() => setEditing(null)}
          onSaved={(v) => {
            setEditing(null);
            toast(t('vehicles.saved', { plate: v.plate_number }));
          }}
        />
      )}
    </section>
  );
}
