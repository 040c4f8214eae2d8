// The columns a list of vehicles shows (the vehicles list, a customer's
// vehicles), declared once for DataTable.
import type { Vehicle } from '../api/ops';
import type { Column } from '../components/DataTable';
import { NextService } from '../components/NextService';
import { useI18n } from '../i18n';
import { formatDate } from './format';

/** How a vehicle's row is keyed and marked (`data-plate`, which the browser tests look for). */
export const vehicleRows = {
  rowKey: (v: Vehicle) => v.id,
  rowProps: (v: Vehicle) => ({ 'data-plate': v.plate_number }),
};

export function useVehicleColumns() {
  const { t, lang } = useI18n();
  const columns = {
    plate: { id: 'plate', header: t('vehicles.plate'), className: 'mono nowrap', cell: (v) => <strong>{v.plate_number}</strong> },
    model: { id: 'model', header: t('vehicles.model'), cell: (v) => v.model },
    year: { id: 'year', header: t('vehicles.year'), cell: (v) => v.year ?? '—' },
    lastService: {
      id: 'last',
      header: t('vehicles.lastService'),
      className: 'nowrap',
      cell: (v) => formatDate(v.last_service_at, lang),
    },
    nextService: { id: 'next', header: t('vehicles.nextService'), cell: (v) => <NextService v={v} /> },
  } satisfies Record<string, Column<Vehicle>>;
  return columns;
}
