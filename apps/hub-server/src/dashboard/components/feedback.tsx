import type { ErrorBody } from '@retail/domain';
import type { ReactNode } from 'react';
import { errorText, t } from '../i18n/translate';
import type { ActionFeedbackState } from '../app/use-action-feedback';
import type { LoadState } from '../app/use-load';

/** Shows a failure as the sentence the hub wrote for the HQ user. */
export function ErrorBanner({ error, onDismiss }: { error: ErrorBody | null; onDismiss?: () => void }) {
  if (error === null) return null;
  return (
    <div className="banner banner-error" role="alert">
      <span>{errorText(error)}</span>
      {onDismiss ? (
        <button type="button" className="btn btn-quiet" onClick={onDismiss} aria-label={t('common.dismiss')}>
          ×
        </button>
      ) : null}
    </div>
  );
}

export function Notice({ text }: { text: string | null }) {
  if (text === null) return null;
  return (
    <div className="banner banner-success" role="status">
      {text}
    </div>
  );
}

/** A table's row actions' last refusal (dismissable) and notice (app/use-action-feedback.ts). */
export function ActionFeedback({ feedback }: { feedback: ActionFeedbackState }) {
  return (
    <>
      <ErrorBanner error={feedback.error} onDismiss={() => feedback.setError(null)} />
      <Notice text={feedback.notice} />
    </>
  );
}

/** The loading line or the hub's error for a screen's main load; children render once it is ready. */
export function Loaded<T>({ state, children }: { state: LoadState<T>; children: (value: T) => ReactNode }) {
  if (state.status === 'loading') {
    return (
      <p className="muted" role="status">
        {t('common.loading')}
      </p>
    );
  }
  if (state.status === 'failed') return <ErrorBanner error={state.error} />;
  return <>{children(state.value)}</>;
}
