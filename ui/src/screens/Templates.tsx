// Message templates (admin): one text per kind × language, edited with the
// allowed placeholders at hand (click to insert) and a live preview rendered
// by the core with a sample booking.
import { useEffect, useRef, useState } from 'react';
import type { Language, MessageKind, Template } from '../api/ops';
import { call } from '../api/transport';
import { Badge } from '../components/Badge';
import { Button } from '../components/Button';
import { DataTable } from '../components/DataTable';
import { Field } from '../components/Field';
import { Form } from '../components/Form';
import { Page } from '../components/Page';
import { QueryView } from '../components/QueryView';
import { SaveButton } from '../components/SaveButton';
import { hasKey, useI18n, type Key } from '../i18n';
import { errorText } from '../i18n/errors';
import { formatDateTime } from '../lib/format';
import { TEMPLATE_KINDS, insertPlaceholder, scanPlaceholders } from '../lib/messaging';
import { useAction, useOp } from '../lib/queries';
import { href, type Route } from '../lib/router';
import { useDebounced } from '../lib/useDebounced';
import { useSession, useToast } from '../session';

const LANGUAGES: Language[] = ['id', 'en'];

export function Templates({ route }: { route: Route }) {
  const { t, tv, lang } = useI18n();
  const { tz } = useSession();
  const list = useOp('templates.list', {});
  const kind = route.query.get('kind') as MessageKind | null;
  const language = (route.query.get('lang') as Language | null) ?? 'id';
  const find = (k: string, l: string) => list.data?.data.find((x) => x.kind === k && x.language === l);
  const selected = kind ? find(kind, language) : undefined;
  return (
    <Page title={t('templates.title')} subtitle={t('templates.subtitle')}>
      <QueryView query={list}>
        {() => (
          <div className="templates-layout">
            <DataTable
              query={{ isPending: false, data: { data: TEMPLATE_KINDS } }}
              testId="template-list"
              rowKey={(k) => k}
              columns={[
                { id: 'kind', header: t('templates.kind'), cell: (k) => <strong>{tv('messageKind', k)}</strong> },
                ...LANGUAGES.map((l) => ({
                  id: l,
                  header: tv('language', l),
                  cell: (k: MessageKind) => {
                    const tpl = find(k, l);
                    const current = k === kind && l === language;
                    return (
                      <>
                        <a
                          className={`btn btn-ghost template-link${current ? ' current' : ''}`}
                          href={href('/templates', { kind: k, lang: l })}
                          aria-current={current ? 'true' : undefined}
                          data-template={`${k}.${l}`}
                          aria-label={`${t('common.edit')}: ${t('templates.editTitle', { kind: tv('messageKind', k), language: tv('language', l) })}`}
                        >
                          ✎ {t('common.edit')}
                        </a>{' '}
                        {tpl && (tpl.is_default ? <Badge kind="off">{t('templates.default')}</Badge> : <Badge kind="ok">{t('templates.custom')}</Badge>)}
                        {tpl && !tpl.is_default && tpl.updated_at && (
                          <div className="muted small">{t('templates.changedAt', { at: formatDateTime(tpl.updated_at, tz, lang, { weekday: false }) })}</div>
                        )}
                      </>
                    );
                  },
                })),
              ]}
            />
            {selected ? (
              <TemplateEditor
                key={`${selected.kind}.${selected.language}`}
                template={selected}
                placeholders={selected.allowed}
              />
            ) : (
              <div className="panel muted">{t('templates.choose')}</div>
            )}
          </div>
        )}
      </QueryView>
    </Page>
  );
}

function TemplateEditor({
  template,
  placeholders,
}: {
  template: Template;
  placeholders: string[];
}) {
  const { t, tv } = useI18n();
  const toast = useToast();
  const [body, setBody] = useState(template.body);
  const area = useRef<HTMLTextAreaElement>(null);
  const caret = useRef<number | null>(null);
  const dirty = body !== template.body;
  const scan = scanPlaceholders(body, placeholders);

  // Put the caret after an inserted placeholder once the text is rendered.
  useEffect(() => {
    if (caret.current !== null && area.current) {
      area.current.focus();
      area.current.setSelectionRange(caret.current, caret.current);
      caret.current = null;
    }
  }, [body]);

  const insert = (name: string) => {
    const el = area.current;
    const out = insertPlaceholder(body, el?.selectionStart, el?.selectionEnd, name);
    caret.current = out.caret;
    setBody(out.body);
  };

  const save = useAction(async () => {
    await call('templates.update', { kind: template.kind, language: template.language, body });
    toast(t('common.saved'));
  });
  const reset = useAction(async () => {
    if (!window.confirm(t('templates.resetConfirm'))) return;
    const out = await call('templates.update', { kind: template.kind, language: template.language, body: null });
    setBody(out.body);
    toast(t('templates.resetDone'));
  });

  const title = t('templates.editTitle', { kind: tv('messageKind', template.kind), language: tv('language', template.language) });
  return (
    <section className="panel template-editor" aria-label={title}>
      <h2>{title}</h2>
      <Form onSubmit={() => void save.run()} error={save.error ?? reset.error}>
        <Field name="body" label={t('templates.body')} hint={t('templates.chars', { n: body.length })}>
          {(id, invalid) => (
            <textarea
              ref={area}
              id={id}
              name="body"
              rows={6}
              maxLength={1000}
              value={body}
              aria-invalid={invalid || undefined}
              aria-describedby={invalid ? `${id}-error` : undefined}
              onChange={(e) => {
                setBody(e.target.value);
                if (save.error) save.clearError();
              }}
            />
          )}
        </Field>
        <div className="placeholders" role="group" aria-label={t('templates.placeholders')}>
          <div className="muted small">{t('templates.placeholders')}</div>
          {placeholders.map((p) => {
            const key = `placeholder.${p}`;
            return (
              <button
                key={p}
                type="button"
                className={`chip${scan.used.includes(p) ? ' used' : ''}`}
                title={hasKey(key) ? t(key as Key) : p}
                onClick={() => insert(p)}
                data-placeholder={p}
              >
                {`{${p}}`}
              </button>
            );
          })}
        </div>
        <Preview kind={template.kind} language={template.language} body={body} unknown={scan.unknown} />
        <div className="form-actions">
          {!template.is_default && (
            <Button kind="ghost" busy={reset.busy} onClick={() => void reset.run()}>
              ↺ {t('templates.reset')}
            </Button>
          )}
          <Button disabled={!dirty} onClick={() => setBody(template.body)}>
            {t('common.cancel')}
          </Button>
          <SaveButton busy={save.busy} />
        </div>
      </Form>
    </section>
  );
}

/** The text as a customer would read it, rendered by the core (debounced). */
function Preview({ kind, language, body, unknown }: { kind: MessageKind; language: Language; body: string; unknown: string[] }) {
  const { t, lang } = useI18n();
  const debounced = useDebounced(body, 300);
  const ok = debounced.trim() !== '' && unknown.length === 0;
  const preview = useOp('templates.preview', { kind, language, body: debounced }, { enabled: ok });
  return (
    <div className="template-preview" aria-live="polite">
      <div className="muted small">{t('templates.preview')}</div>
      {unknown.length ? (
        <div className="banner banner-warn" data-testid="preview-unknown">
          {t('templates.previewUnknown', { names: unknown.map((u) => `{${u}}`).join(', ') })}
        </div>
      ) : !body.trim() ? (
        <p className="muted">{t('templates.previewEmpty')}</p>
      ) : preview.error ? (
        <div className="banner banner-error">{errorText(preview.error, lang)}</div>
      ) : (
        <div className="bubble" data-testid="preview-text">
          {(ok && preview.data?.text) || '…'}
        </div>
      )}
    </div>
  );
}
