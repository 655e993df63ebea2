import { t } from '../../i18n/translate';

/** A secret the hub returned once: shown until dismissed, never fetched again. */
export function SecretOnce({
  title,
  secret,
  explanation,
  onDismiss,
}: {
  title: string;
  secret: string;
  explanation: string;
  onDismiss: () => void;
}) {
  return (
    <div className="panel" role="group" aria-label={title}>
      <h3>{title}</h3>
      <p>
        <code className="secret-once">{secret}</code>
      </p>
      <p>{explanation}</p>
      <button type="button" className="btn" onClick={onDismiss}>
        {t('common.close')}
      </button>
    </div>
  );
}
