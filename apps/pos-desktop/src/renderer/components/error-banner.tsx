import type { ErrorBody } from '@retail/domain';
import { errorText, t } from '../i18n/translate';

/** Shows a command's failure as the sentence the store node wrote for the cashier. */
export function ErrorBanner({ error, onDismiss }: { error: ErrorBody | null; onDismiss?: () => void }) {
  if (!error) return null;
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

export function Notice({
  text,
  tone = 'info',
}: {
  text: string | null;
  tone?: 'info' | 'warning' | 'success';
}) {
  if (!text) return null;
  return (
    <div className={`banner banner-${tone}`} role="status">
      {text}
    </div>
  );
}

/**
 * A command's failure next to the control that caused it, announced at once (role="alert" is an assertive
 * live region): a banner at the top of the page can sit out of view while the cashier looks at a button.
 */
export function FieldError({ id, error }: { id: string; error: ErrorBody | null }) {
  if (!error) return null;
  return (
    <p id={id} className="field-error" role="alert">
      {errorText(error)}
    </p>
  );
}
