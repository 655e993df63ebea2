import { useState } from 'react';
import type { IntegrationSubscription } from '../../api/api-types';
import { useCanAct, useIsAdmin, useServices } from '../../app/dashboard-context';
import { useActionFeedback, useRowEdit } from '../../app/use-action-feedback';
import { useLoad } from '../../app/use-load';
import { ActionFeedback, Loaded } from '../../components/feedback';
import { t } from '../../i18n/translate';
import { ApiKeysSection } from './api-keys-section';
import { SecretOnce } from './secret-once';
import { EditWebhookForm, NewWebhookForm } from './webhook-endpoint-forms';

/** Whether a subscription's oldest undelivered event has waited longer than it allows. */
export function isBehind(subscription: IntegrationSubscription, now: number): boolean {
  return (
    subscription.status === 'active' &&
    subscription.oldestUndeliveredAt !== null &&
    now - subscription.oldestUndeliveredAt > subscription.maxLagSeconds * 1000
  );
}

/**
 * Webhook subscriptions with their lag, failures and last error (the same figures as /metrics), so HQ
 * sees which ERP or channel is behind; operators pause and resume them.
 */
export function IntegrationsScreen() {
  const { api } = useServices();
  const isAdmin = useIsAdmin();
  const subscriptions = useLoad(() => api.subscriptions(), [api]);
  const [secret, setSecret] = useState<{ name: string; secret: string } | null>(null);
  const showSecret = (name: string, value: string) => {
    setSecret({ name, secret: value });
    subscriptions.reload();
  };
  return (
    <section aria-labelledby="integrations-title">
      <h1 id="integrations-title">{t('integrations.title')}</h1>
      <h2>{t('integrations.subscriptions')}</h2>
      {secret === null ? null : (
        <SecretOnce
          title={t('webhooks.secretTitle', { name: secret.name })}
          secret={secret.secret}
          explanation={t('webhooks.secretOnce')}
          onDismiss={() => setSecret(null)}
        />
      )}
      {isAdmin ? <NewWebhookForm onCreated={showSecret} /> : null}
      <Loaded state={subscriptions.state}>
        {(list) => (
          <SubscriptionTable subscriptions={list} reload={subscriptions.reload} onSecret={showSecret} />
        )}
      </Loaded>
      {isAdmin ? <ApiKeysSection /> : null}
    </section>
  );
}

function SubscriptionTable({
  subscriptions,
  reload,
  onSecret,
}: {
  subscriptions: readonly IntegrationSubscription[];
  reload: () => void;
  onSecret: (name: string, secret: string) => void;
}) {
  const { api, format, now } = useServices();
  const canAct = useCanAct();
  const isAdmin = useIsAdmin();
  const feedback = useActionFeedback();
  const editor = useRowEdit<IntegrationSubscription>(feedback, reload, (name) =>
    t('webhooks.saved', { name }),
  );
  if (subscriptions.length === 0) return <p>{t('integrations.none')}</p>;

  const rotate = async (subscription: IntegrationSubscription) => {
    const result = await api.rotateSubscriptionSecret(subscription.subscriptionId, subscription.version);
    feedback.report(result, (rotated) => onSecret(subscription.name, rotated.secret));
  };
  const at = now();

  const toggle = async (subscription: IntegrationSubscription) => {
    const pause = subscription.status === 'active';
    const result = await api.setSubscriptionPaused(subscription.subscriptionId, pause);
    feedback.report(result, () => {
      feedback.setNotice(
        t(pause ? 'integrations.paused.notice' : 'integrations.resumed.notice', { name: subscription.name }),
      );
      reload();
    });
  };

  return (
    <>
      <ActionFeedback feedback={feedback} />
      {editor.editing === null ? null : (
        <EditWebhookForm
          key={editor.editing.subscriptionId}
          subscription={editor.editing}
          onCancel={editor.onCancel}
          onReload={editor.onReload}
          onSaved={editor.onSaved}
        />
      )}
      <table aria-label={t('integrations.subscriptions')}>
        <thead>
          <tr>
            <th scope="col">{t('integrations.name')}</th>
            <th scope="col">{t('integrations.types')}</th>
            <th scope="col">{t('integrations.state')}</th>
            <th scope="col">{t('integrations.lag')}</th>
            <th scope="col">{t('integrations.failures')}</th>
            <th scope="col">{t('integrations.lastDelivered')}</th>
            <th scope="col">{t('integrations.lastError')}</th>
            {canAct ? <th scope="col">{t('integrations.actions')}</th> : null}
          </tr>
        </thead>
        <tbody>
          {subscriptions.map((subscription) => {
            const behind = isBehind(subscription, at);
            return (
              <tr key={subscription.subscriptionId} className={behind ? 'health-stale' : undefined}>
                <th scope="row">{subscription.name}</th>
                <td>
                  {subscription.types.length === 0
                    ? t('integrations.allTypes')
                    : subscription.types.join(', ')}
                </td>
                <td>
                  {subscription.status === 'paused'
                    ? t('integrations.paused')
                    : behind
                      ? t('integrations.behind', {
                          lag: format.ago(subscription.oldestUndeliveredAt!, at),
                        })
                      : t('integrations.active')}
                </td>
                <td>
                  {subscription.lagEvents === 0
                    ? t('integrations.caughtUp')
                    : t('integrations.lagValue', {
                        count: format.count(subscription.lagEvents),
                        ago:
                          subscription.oldestUndeliveredAt === null
                            ? t('integrations.never')
                            : format.ago(subscription.oldestUndeliveredAt, at),
                      })}
                </td>
                <td>
                  {t('integrations.failuresValue', {
                    failing: format.count(subscription.failing),
                    dead: format.count(subscription.deadLetters),
                  })}
                </td>
                <td>
                  {subscription.lastDeliveredAt === null
                    ? t('integrations.never')
                    : format.dateTime(subscription.lastDeliveredAt)}
                </td>
                <td>{subscription.lastError ?? ''}</td>
                {canAct ? (
                  <td>
                    <button type="button" className="btn" onClick={() => void toggle(subscription)}>
                      {t(subscription.status === 'active' ? 'integrations.pause' : 'integrations.resume', {
                        name: subscription.name,
                      })}
                    </button>
                    {isAdmin ? (
                      <>
                        <button type="button" className="btn" onClick={() => editor.edit(subscription)}>
                          {t('webhooks.edit', { name: subscription.name })}
                        </button>
                        <button type="button" className="btn" onClick={() => void rotate(subscription)}>
                          {t('webhooks.rotate', { name: subscription.name })}
                        </button>
                      </>
                    ) : null}
                  </td>
                ) : null}
              </tr>
            );
          })}
        </tbody>
      </table>
    </>
  );
}
