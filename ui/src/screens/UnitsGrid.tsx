import { useMemo, useState } from 'react';
import type { Unit, UnitStatus } from '../api/ops';
import { call } from '../api/transport';
import { Button } from '../components/Button';
import { DefinitionList } from '../components/DefinitionList';
import { Empty } from '../components/Empty';
import { ErrorMessage } from '../components/ErrorMessage';
import { FilterSelect } from '../components/FilterSelect';
import { Form } from '../components/Form';
import { FormActions } from '../components/FormActions';
import { Loading } from '../components/Loading';
import { Modal } from '../components/Modal';
import { MoneyField } from '../components/MoneyField';
import { NewButton } from '../components/NewButton';
import { Page } from '../components/Page';
import { QueryView } from '../components/QueryView';
import { SelectField } from '../components/SelectField';
import { TextField } from '../components/TextField';
import { ValueBadge } from '../components/ValueBadge';
import { useI18n } from '../i18n';
import { changedValues } from '../lib/changes';
import { formatRupiah, moneyValue, optionalText, parseRupiah } from '../lib/format';
import { setOpData, useAction, useOp } from '../lib/queries';
import { href, navigate, type Route } from '../lib/router';
import { useDebounced } from '../lib/useDebounced';
import { useFormValues } from '../lib/useFormValues';
import { useSession, useToast } from '../session';

const STATUSES: UnitStatus[] = ['available', 'booked', 'sold', 'maintenance'];

export function UnitsGrid({ route }: { route: Route }) {
  const { t, tv } = useI18n();
  const { can } = useSession();
  const [status, setStatus] = useState('');
  const [type, setType] = useState('');
  const [block, setBlock] = useState('');
  const [min, setMin] = useState('');
  const [max, setMax] = useState('');
  const [creating, setCreating] = useState(false);
  const input = {
    status: (status || null) as UnitStatus | null,
    unit_type: useDebounced(type.trim(), 250) || null,
    block: useDebounced(block.trim(), 250) || null,
    price_min: parseRupiah(useDebounced(min, 400)),
    price_max: parseRupiah(useDebounced(max, 400)),
    sort: 'code:asc',
    page_size: 200,
  };
  const units = useOp('units.list', input);
  const openId = route.params.id ?? null;
  const groups = useMemo(() => {
    const m = new Map<string, Unit[]>();
    for (const u of units.data?.data ?? []) {
      const k = u.block ?? '';
      m.set(k, [...(m.get(k) ?? []), u]);
    }
    return [...m.entries()].sort(([a], [b]) => (a === '' ? 1 : b === '' ? -1 : a.localeCompare(b, 'id', { numeric: true })));
  }, [units.data]);
  const counts = useMemo(() => {
    const c: Record<string, number> = {};
    for (const u of units.data?.data ?? []) c[u.status] = (c[u.status] ?? 0) + 1;
    return c;
  }, [units.data]);

  return (
    <Page
      title={t('units.title')}
      subtitle={
        <span className="legend">
          {STATUSES.map((s) => (
            <span key={s} className={`legend-item unit-${s}`}>
              {tv('unitStatus', s)} {counts[s] ?? 0}
            </span>
          ))}
        </span>
      }
      actions={
        can('units.write') && (
          <NewButton label={t('units.new')} onClick={() => setCreating(true)} />
        )
      }
    >
      <div className="filters">
        <FilterSelect
          name="status"
          label={t('units.status')}
          value={status}
          onChange={setStatus}
          empty={t('common.all')}
          options={STATUSES.map((s) => ({ value: s, label: tv('unitStatus', s) }))}
        />
        <label className="filter">
          <span>{t('units.type')}</span>
          <input type="search" data-search value={type} onChange={(e) => setType(e.target.value)} />
        </label>
        <label className="filter">
          <span>{t('units.block')}</span>
          <input value={block} onChange={(e) => setBlock(e.target.value)} size={6} />
        </label>
        <label className="filter">
          <span>{t('units.priceMin')}</span>
          <input value={min} onChange={(e) => setMin(e.target.value)} inputMode="decimal" placeholder="Rp" size={12} />
        </label>
        <label className="filter">
          <span>{t('units.priceMax')}</span>
          <input value={max} onChange={(e) => setMax(e.target.value)} inputMode="decimal" placeholder="Rp" size={12} />
        </label>
      </div>
      <ErrorMessage error={units.error} />
      {units.isPending ? (
        <Loading />
      ) : groups.length === 0 ? (
        <Empty text={t('units.none')} />
      ) : (
        groups.map(([blk, list]) => (
          <section key={blk} className="unit-block">
            <h2>
              {blk ? `${t('units.block')} ${blk}` : t('units.noBlock')}{' '}
              <span className="muted small">{t('units.count', { n: list.length })}</span>
            </h2>
            <div className="unit-grid">
              {list.map((u) => (
                <a key={u.id} href={href(`/units/${u.id}`)} className={`unit-card unit-${u.status}`} data-unit={u.code}>
                  <div className="unit-code">{u.code}</div>
                  <div className="unit-type">{u.unit_type}</div>
                  <div className="unit-price">{formatRupiah(u.price)}</div>
                  <div className="unit-status">{tv('unitStatus', u.status)}</div>
                </a>
              ))}
            </div>
          </section>
        ))
      )}
      {openId && (
        <UnitDialog key={openId} id={openId} onClose={() => navigate('/units')} />
      )}
      {creating && (
        <UnitEditor
          onClose={() => setCreating(false)}
          onSaved={() => {
            setCreating(false);
          }}
        />
      )}
    </Page>
  );
}

function UnitDialog({ id, onClose }: { id: string; onClose: () => void }) {
  const { t } = useI18n();
  const { can } = useSession();
  const toast = useToast();
  const unit = useOp('units.get', { id });
  const [editing, setEditing] = useState(false);
  const u = unit.data;
  if (editing && u) {
    return (
      <UnitEditor
        unit={u}
        onClose={() => setEditing(false)}
        onSaved={(n) => {
          setEditing(false);
          setOpData('units.get', { id }, n);
          toast(t('common.saved'));
        }}
      />
    );
  }
  return (
    <Modal title={u ? `${t('bookings.unit')} ${u.code}` : t('common.loading')} onClose={onClose}>
      <QueryView query={unit}>
        {(u) => (
          <>
            <DefinitionList
              items={[
                [t('units.status'), <ValueBadge of="unitStatus" value={u.status} />],
                [t('units.type'), u.unit_type],
                [t('units.block'), u.block ?? '—'],
                [t('units.number'), u.number ?? '—'],
                [t('units.price'), <strong>{formatRupiah(u.price)}</strong>],
                [t('units.location'), u.location ?? '—'],
                [t('units.landArea'), u.land_area ?? '—'],
                [t('units.buildingArea'), u.building_area ?? '—'],
                [t('units.bedrooms'), u.bedrooms ?? '—'],
                [t('units.bathrooms'), u.bathrooms ?? '—'],
                [t('units.garage'), u.garage ?? '—'],
              ]}
            />
            <div className="form-actions">
              <Button onClick={() => navigate(`/bookings?unit_id=${u.id}`)}>{t('nav.bookings')}</Button>
              {can('units.write') && <Button onClick={() => setEditing(true)}>✎ {t('common.edit')}</Button>}
              {u.status === 'available' && (
                <Button kind="primary" onClick={() => navigate(`/bookings/new?unit=${u.id}`)}>
                  {t('units.book')}
                </Button>
              )}
            </div>
          </>
        )}
      </QueryView>
    </Modal>
  );
}

function UnitEditor({ unit, onClose, onSaved }: { unit?: Unit; onClose: () => void; onSaved: (u: Unit) => void }) {
  const { t, tv } = useI18n();
  const str = (v: unknown) => (v === null || v === undefined ? '' : String(v));
  const initial = {
    code: str(unit?.code),
    unit_type: str(unit?.unit_type),
    block: str(unit?.block),
    number: str(unit?.number),
    price: str(unit?.price),
    status: str(unit?.status ?? 'available'),
    location: str(unit?.location),
    land_area: str(unit?.land_area),
    building_area: str(unit?.building_area),
    bedrooms: str(unit?.bedrooms),
    bathrooms: str(unit?.bathrooms),
    garage: str(unit?.garage),
  };
  const { values: f, field } = useFormValues(initial);
  const save = useAction(async () => {
    const num = (v: string) => (v.trim() ? Number(v.replace(',', '.')) : null);
    const values = {
      unit_type: f.unit_type,
      block: optionalText(f.block),
      number: optionalText(f.number),
      price: moneyValue(f.price) ?? '',
      status: f.status as UnitStatus,
      location: optionalText(f.location),
      land_area: num(f.land_area),
      building_area: num(f.building_area),
      bedrooms: num(f.bedrooms),
      bathrooms: num(f.bathrooms),
      garage: num(f.garage),
      code: optionalText(f.code),
    };
    onSaved(
      unit
        ? await call('units.update', { id: unit.id, version: unit.version, ...changedValues(values, f, initial) })
        : await call('units.create', values),
    );
  });
  return (
    <Modal title={unit ? t('units.edit', { code: unit.code }) : t('units.new')} onClose={onClose} wide>
      <Form onSubmit={() => void save.run()} error={save.error} className="form grid-2">
        <TextField {...field('unit_type')} label={t('units.type')} />
        <TextField {...field('code')} label={t('units.code')} placeholder="UNIT-001" />
        <TextField {...field('block')} label={t('units.block')} />
        <TextField {...field('number')} label={t('units.number')} />
        <MoneyField {...field('price')} label={t('units.price')} />
        <SelectField
          {...field('status')}
          label={t('units.status')}
          options={STATUSES.map((s) => ({ value: s, label: tv('unitStatus', s) }))}
        />
        <TextField {...field('location')} label={t('units.location')} className="span-2" />
        <TextField {...field('land_area')} label={t('units.landArea')} inputMode="decimal" />
        <TextField {...field('building_area')} label={t('units.buildingArea')} inputMode="decimal" />
        <TextField {...field('bedrooms')} label={t('units.bedrooms')} type="number" min={0} />
        <TextField {...field('bathrooms')} label={t('units.bathrooms')} type="number" min={0} />
        <TextField {...field('garage')} label={t('units.garage')} type="number" min={0} />
        <FormActions onCancel={onClose} busy={save.busy} span2 />
      </Form>
    </Modal>
  );
}
