import { DomainError, type ErrorBody } from '@retail/domain';
import { useState, type FormEvent, type ReactNode } from 'react';
import type { ApiResult } from '../../api/hub-api';
import { useServices } from '../../app/dashboard-context';
import { ErrorBanner } from '../../components/feedback';
import { t } from '../../i18n/translate';
import { shownValue } from './pricing-form';

/** What both pricing previews answer: the version publishing makes, what changes, which stores. */
export interface PreviewAnswer {
  readonly version: number;
  readonly currentVersion: number;
  readonly changes: readonly { field: string; before: unknown; after: unknown }[];
  readonly stores: readonly { nodeId: string; code: string; name: string }[];
  readonly storesDropped: readonly { nodeId: string; code: string; name: string }[];
}

/**
 * The preview-then-publish flow of the pricing editors: the operator's form becomes a body (or a
 * DomainError naming what is wrong, shown without asking the hub), the hub previews it, and publishing
 * sends exactly the previewed body. Any edit drops the preview, so nothing unseen is published.
 */
export function usePreviewPublish<Body, Answer extends PreviewAnswer, Saved>(options: {
  id: string;
  needId: string;
  body: () => Body;
  preview: (id: string, body: Body) => Promise<ApiResult<Answer>>;
  publish: (id: string, body: Body) => Promise<ApiResult<Saved>>;
  onPublished: (saved: Saved) => void;
}) {
  const [preview, setPreview] = useState<{ id: string; body: Body; answer: Answer } | null>(null);
  const [error, setError] = useState<ErrorBody | null>(null);
  const [working, setWorking] = useState(false);

  const askPreview = async (event: FormEvent) => {
    event.preventDefault();
    const id = options.id.trim();
    if (id === '') {
      setError({ code: 'INVALID_INPUT', message: options.needId });
      return;
    }
    let body: Body;
    try {
      body = options.body();
    } catch (problem) {
      if (!(problem instanceof DomainError)) throw problem;
      setError(problem.toJSON());
      setPreview(null);
      return;
    }
    setWorking(true);
    const result = await options.preview(id, body);
    setWorking(false);
    if (!result.ok) {
      setError(result.error);
      setPreview(null);
      return;
    }
    setError(null);
    setPreview({ id, body, answer: result.value });
  };

  const publish = async () => {
    if (preview === null) return;
    setWorking(true);
    const result = await options.publish(preview.id, preview.body);
    setWorking(false);
    if (result.ok) options.onPublished(result.value);
    else setError(result.error);
  };

  /** Runs a hub call of the editor (a reload), showing its refusal like the others. */
  const run = async <T,>(call: () => Promise<ApiResult<T>>, then: (value: T) => void) => {
    setWorking(true);
    const result = await call();
    setWorking(false);
    if (result.ok) then(result.value);
    else setError(result.error);
  };

  const edit =
    <T,>(set: (value: T) => void) =>
    (value: T) => {
      set(value);
      setPreview(null);
    };

  return { preview: preview?.answer ?? null, error, setError, working, askPreview, publish, run, edit };
}

/**
 * The hub's refusal, with a reload offer when it is a stale version (409 CONFLICT) of something that exists;
 * and the preview: new or replacing which version, the fields that change, the stores reached and dropped,
 * then what `children` adds (items, prices).
 */
export function PreviewPanel({
  error,
  working,
  onReload,
  answer,
  isNew,
  children,
}: {
  error: ErrorBody | null;
  working: boolean;
  onReload: (() => void) | null;
  answer: PreviewAnswer | null;
  isNew: string;
  children?: ReactNode;
}) {
  const { format } = useServices();
  const storeNames = (stores: PreviewAnswer['stores']) =>
    stores.map((store) => `${store.code} ${store.name}`).join(', ');
  return (
    <>
      <ErrorBanner error={error} />
      {error?.code === 'CONFLICT' && onReload !== null ? (
        <button type="button" className="btn" disabled={working} onClick={onReload}>
          {t('pricing.editor.reload')}
        </button>
      ) : null}
      {answer === null ? null : (
        <section aria-label={t('pricing.editor.previewTitle', { version: answer.version })}>
          <h3>{t('pricing.editor.previewTitle', { version: answer.version })}</h3>
          <p>
            {answer.currentVersion === 0
              ? isNew
              : t('pricing.editor.replaces', { version: answer.currentVersion })}
          </p>
          <ul aria-label={t('pricing.editor.changes')}>
            {answer.changes.map((change) => (
              <li key={change.field}>
                {t('pricing.editor.change', {
                  field: change.field,
                  before: shownValue(change.before),
                  after: shownValue(change.after),
                })}
              </li>
            ))}
          </ul>
          <p>
            {t('pricing.editor.reaches', {
              count: format.count(answer.stores.length),
              stores: storeNames(answer.stores),
            })}
          </p>
          {answer.storesDropped.length === 0 ? null : (
            <p>{t('pricing.editor.drops', { stores: storeNames(answer.storesDropped) })}</p>
          )}
          {children}
        </section>
      )}
    </>
  );
}

/** Preview (the form's submit), Publish once previewed, Cancel. */
export function EditorActions({
  working,
  previewVersion,
  onPublish,
  onCancel,
}: {
  working: boolean;
  previewVersion: number | null;
  onPublish: () => void;
  onCancel: () => void;
}) {
  return (
    <div className="actions">
      <button type="submit" className="btn" disabled={working}>
        {t('pricing.editor.preview')}
      </button>
      <button
        type="button"
        className="btn btn-primary"
        disabled={working || previewVersion === null}
        onClick={onPublish}
      >
        {previewVersion === null
          ? t('pricing.editor.publishAfterPreview')
          : t('pricing.editor.publish', { version: previewVersion })}
      </button>
      <button type="button" className="btn btn-quiet" onClick={onCancel}>
        {t('pricing.editor.cancel')}
      </button>
    </div>
  );
}
