import { useState } from 'react';
import type { Vehicle } from '../api/ops';
import { useI18n } from '../i18n';
import { useOp } from '../lib/queries';
import { useVehicleColumns, vehicleRows } from '../lib/vehicleColumns';
import { useToast } from '../session';
import { Button } from './Button';
import { DataTable } from './DataTable';
import { EditButton } from './EditButton';
import { VehicleEditor } from './VehicleEditor';

/** The vehicles of one customer, on the customer's page. */
export function CustomerVehicles({ customerId }: { customerId: string }) {
  const { t } = useI18n();
  const columns = useVehicleColumns();
  const toast = useToast();
  const list = useOp('vehicles.list', { customer_id: customerId, page_size: 50 });
  const [editing, setEditing] = useState<Vehicle | 'new' | null>(null);
  return (
    <section className="card" data-testid="customer-vehicles">
      <div className="card-head">
        <h2>{t('vehicles.title')}</h2>
        <Button onClick={() => setEditing('new')}>+ {t('vehicles.add')}</Button>
      </div>
      <DataTable
        query={list}
        empty={t('vehicles.noneForCustomer')}
        className="table compact"
        bare
        {...vehicleRows}
        columns={[
          columns.plate,
          columns.model,
          columns.year,
          columns.lastService,
          columns.nextService,
          { id: 'actions', header: null, className: 'actions', cell: (v) => <EditButton onClick={() => setEditing(v)} /> },
        ]}
      />
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
