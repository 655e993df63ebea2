import type { ErrorBody } from '@retail/domain';
import { t } from '../i18n/translate';

/** Shows a command's failure as the sentence the store node wrote for the cashier. */
export function ErrorBanner({ error, onDismiss }: { error: ErrorBody | null; onDismiss?: () => void }) {
  if (!error) return null;
  return (
    <div className="banner banner-error" role="alert">
      <span>{error.message}</span>
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
