import { Badge } from '../../src/components/Badge';
import { DataTable } from '../../src/components/DataTable';
import { PageHeader } from '../../src/components/PageHeader';
import { useI18n } from '../../src/i18n';
import { formatDateTime } from '../../src/lib/format';
import { relativeTime } from '../../src/lib/sync';
import { useNow } from '../../src/lib/useNow';
import type { BranchState } from '../api/client';
import { branchHealth, durationWords } from '../lib/health';
import { useGet } from '../lib/queries';
import { useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { Button } from '../../src/components/Button';
import { Form } from '../../src/components/Form';
import { FormActions } from '../../src/components/FormActions';
import { Modal } from '../../src/components/Modal';
import { TextField } from '../../src/components/TextField';
import { useAction } from '../../src/lib/queries';
import { put } from '../api/client';
import { useHqRole } from '../lib/session';

/** Cabang: every branch with its sync health (healthy / late / stale), last push, lag and refusals. */
export function Branches() {
  const { t, lang } = useI18n();
  const now = useNow(30_000);
  const [page, setPage] = useState(1);
  const query = useGet('/api/v1/branches', { page, page_size: 50 }, { refetchInterval: 30_000 });
  const admin = useHqRole() === 'hq_admin';
  const [editing, setEditing] = useState<BranchState | null>(null);
  return (
    <>
      <PageHeader title={t('hq.branches.title')} subtitle={t('hq.branches.subtitle')} />
      <DataTable<BranchState>
        testId="branches"
        query={query}
        rowKey={(b) => b.id}
        rowProps={(b) => ({ 'data-branch': b.name, 'data-health': branchHealth(b, now) })}
        empty={t('hq.branches.empty')}
        onPage={setPage}
        columns={[
          { id: 'name', header: t('hq.branches.name'), cell: (b) => <strong>{b.name}</strong>, sortValue: (b) => b.name },
          {
            id: 'address',
            header: t('hq.branches.address'),
            cell: (b) => (
              <span className="small">
                {b.address ?? <span className="muted">—</span>}
                {admin && (
                  <>
                    {' '}
                    <Button kind="ghost" onClick={() => setEditing(b)} aria-label={t('hq.branches.editAddress', { name: b.name })}>
                      ✎
                    </Button>
                  </>
                )}
              </span>
            ),
          },
          {
            id: 'health',
            header: t('hq.branches.health'),
            cell: (b) => {
              const h = branchHealth(b, now);
              return (
                <Badge kind={`health-${h}`}>
                  <span aria-hidden="true">{{ healthy: '●', late: '▲', stale: '■', never: '○', revoked: '✕' }[h]} </span>
                  {t(`hq.health.${h}`)}
                </Badge>
              );
            },
            cellProps: (b) => ({ 'data-testid': 'health', 'data-health': branchHealth(b, now) }),
          },
          {
            id: 'last_push',
            header: t('hq.branches.lastPush'),
            cell: (b) =>
              b.last_push_at ? (
                <span title={formatDateTime(b.last_push_at, undefined, lang)}>{relativeTime(b.last_push_at, now, lang)}</span>
              ) : (
                t('hq.branches.never')
              ),
            cellProps: () => ({ 'data-testid': 'last-push' }),
          },
          {
            id: 'behind_changes',
            header: t('hq.branches.behindChanges'),
            headerClassName: 'num',
            className: 'num',
            cell: (b) => (b.behind_changes ?? null) === null ? <span className="muted">{t('hq.branches.unknown')}</span> : b.behind_changes,
            cellProps: () => ({ 'data-testid': 'behind-changes' }),
          },
          {
            id: 'behind_time',
            header: t('hq.branches.behindTime'),
            headerClassName: 'num',
            className: 'num',
            cell: (b) =>
              (b.behind_seconds ?? null) === null ? (
                <span className="muted">{t('hq.branches.unknown')}</span>
              ) : (
                durationWords(b.behind_seconds!, lang)
              ),
            cellProps: () => ({ 'data-testid': 'behind-time' }),
          },
          { id: 'rows', header: t('hq.branches.rows'), headerClassName: 'num', className: 'num', cell: (b) => b.rows },
          {
            id: 'rejections',
            header: t('hq.branches.rejections'),
            headerClassName: 'num',
            className: 'num',
            cell: (b) => (b.rejections > 0 ? <Badge kind="risk">{b.rejections}</Badge> : 0),
            cellProps: () => ({ 'data-testid': 'rejections' }),
          },
        ]}
      />
      <p className="muted small">{t('hq.branches.legend')}</p>
      {editing && <EditWhereabouts branch={editing} onClose={() => setEditing(null)} />}
    </>
  );
}

/** Where a branch is, for the booking page: its address and a map link. */
function EditWhereabouts({ branch, onClose }: { branch: BranchState; onClose: () => void }) {
  const { t } = useI18n();
  const client = useQueryClient();
  const [address, setAddress] = useState(branch.address ?? '');
  const [mapUrl, setMapUrl] = useState(branch.map_url ?? '');
  const save = useAction(async () => {
    await put(`/api/v1/branches/${branch.id}` as '/api/v1/branches/{id}', {
      address: address.trim() || null,
      map_url: mapUrl.trim() || null,
    });
    await client.invalidateQueries();
    onClose();
  });
  return (
    <Modal title={t('hq.branches.editAddress', { name: branch.name })} onClose={onClose}>
      <Form onSubmit={() => void save.run()} error={save.error}>
        <TextField name="address" label={t('hq.branches.address')} value={address} onChange={setAddress} />
        <TextField name="map_url" label={t('hq.branches.mapUrl')} value={mapUrl} onChange={setMapUrl} inputMode="url" placeholder="https://maps.google.com/?q=…" />
        <FormActions onCancel={onClose} busy={save.busy} />
      </Form>
    </Modal>
  );
}
