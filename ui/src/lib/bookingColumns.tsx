// The columns a list of bookings may show (the bookings list, a customer's
// bookings), declared once for DataTable.
import type { Booking } from '../api/ops';
import type { Column } from '../components/DataTable';
import { ValueBadge } from '../components/ValueBadge';
import { useI18n } from '../i18n';
import { useSession } from '../session';
import { formatDate, formatDateTime, formatRupiah } from './format';
import { href } from './router';

export function useBookingColumns() {
  const { t, lang } = useI18n();
  const { tz } = useSession();
  const columns = {
    code: {
      id: 'code',
      header: t('bookings.code'),
      className: 'nowrap',
      cell: (b) => <a href={href(`/bookings/${b.id}`)}>{b.code}</a>,
    },
    event: { id: 'event', header: t('bookings.event'), className: 'nowrap', cell: (b) => formatDateTime(b.event_at, tz, lang) },
    bookingDate: { id: 'date', header: t('bookings.bookingDate'), className: 'nowrap', cell: (b) => formatDate(b.booking_date, lang) },
    price: { id: 'price', header: t('bookings.price'), headerClassName: 'num', className: 'num', cell: (b) => formatRupiah(b.price) },
    status: { id: 'status', header: t('bookings.status'), cell: (b) => <ValueBadge of="status" value={b.booking_status} /> },
    payment: { id: 'payment', header: t('bookings.payment'), cell: (b) => <ValueBadge of="payment" value={b.payment_status} /> },
    segment: { id: 'segment', header: t('bookings.segment'), cell: (b) => <ValueBadge of="segment" value={b.priority_segment} /> },
  } satisfies Record<string, Column<Booking>>;
  return columns;
}
