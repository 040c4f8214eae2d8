// Choosing a free service slot: for a new booking (any service) or for
// moving a booking (its own service).
import { useMemo, useState } from 'react';
import type { Slot } from '../api/ops';
import { useI18n } from '../i18n';
import { addDays, formatDate, formatDateTime, formatTime, localDate, today } from '../lib/format';
import { useOp } from '../lib/queries';
import { useSession } from '../session';
import { Empty } from './Empty';
import { ErrorMessage } from './ErrorMessage';
import { FilterSelect } from './FilterSelect';
import { Loading } from './Loading';
import { SlotButton } from './SlotButton';

/**
 * Free slots of the next two weeks, grouped by day, to pick one. With
 * `service` the service is fixed (moving a booking keeps its service).
 */
export function SlotPicker({
  slot,
  setSlot,
  service,
}: {
  slot: Slot | null;
  setSlot: (s: Slot | null) => void;
  service?: { id: string; name: string };
}) {
  const { t, lang } = useI18n();
  const { tz } = useSession();
  const [chosenService, setServiceId] = useState(slot?.service_id ?? '');
  const serviceId = service?.id ?? chosenService;
  const [providerId, setProviderId] = useState(slot?.provider_id ?? '');
  const services = useOp('services.list', { active: true, page_size: 200 }, { enabled: !service });
  const providers = useOp('providers.list', { active: true, service_id: serviceId || null, page_size: 200 });
  const from = today(tz);
  const slots = useOp('slots.list', {
    status: 'available',
    service_id: serviceId || null,
    provider_id: providerId || null,
    from,
    to: addDays(from, 14),
    page_size: 200,
  });
  const byDay = useMemo(() => {
    const m = new Map<string, Slot[]>();
    for (const s of slots.data?.data ?? []) {
      if (new Date(s.starts_at).getTime() <= Date.now()) continue;
      const d = localDate(s.starts_at, tz);
      m.set(d, [...(m.get(d) ?? []), s]);
    }
    return [...m.entries()];
  }, [slots.data, tz]);
  return (
    <div className="picker" data-field="slot_id">
      <div className="filters">
        {service ? (
          <div className="muted">
            {t('wizard.serviceFilter')}: <strong>{service.name}</strong>
          </div>
        ) : (
          <FilterSelect
            label={t('wizard.serviceFilter')}
            value={serviceId}
            onChange={setServiceId}
            empty={t('common.all')}
            options={(services.data?.data ?? []).map((s) => ({ value: s.id, label: s.name }))}
          />
        )}
        <FilterSelect
          label={t('wizard.providerFilter')}
          value={providerId}
          onChange={setProviderId}
          empty={t('common.all')}
          options={(providers.data?.data ?? []).map((p) => ({ value: p.id, label: p.name }))}
        />
      </div>
      {slot && (
        <div className="selected-item" data-testid="selected-slot">
          {t('wizard.selected')}: <strong>{formatDateTime(slot.starts_at, tz, lang)}</strong> —{' '}
          {t('wizard.slotAt', { service: slot.service_name, provider: slot.provider_name })}
        </div>
      )}
      <ErrorMessage error={slots.error} />
      {slots.isPending ? (
        <Loading />
      ) : byDay.length === 0 ? (
        <Empty text={t('wizard.noSlots')} />
      ) : (
        <div className="slot-days">
          {byDay.map(([day, list]) => (
            <div key={day} className="slot-day">
              <div className="slot-day-head">{formatDate(day, lang, { weekday: true })}</div>
              <div className="slot-buttons">
                {list.map((s) => (
                  <SlotButton key={s.id} selected={slot?.id === s.id} onClick={() => setSlot(s)} title={`${s.service_name} — ${s.provider_name}`}>
                    {formatTime(s.starts_at, tz, lang)} <span className="muted small">{s.provider_name}</span>
                  </SlotButton>
                ))}
              </div>
            </div>
          ))}
        </div>
      )}
    </div>
  );
}
