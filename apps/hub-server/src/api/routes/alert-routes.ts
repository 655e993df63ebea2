import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { RouteRegistry } from '../route';
import {
  AlertDeliveryFilterSchema,
  AlertDeliverySchema,
  AlertRuleInputSchema,
  AlertRuleSchema,
  AlertRuleUpdateSchema,
  createAlertRule,
  deleteAlertRule,
  getAlertRule,
  listAlertDeliveries,
  listAlertRules,
  retryAlertDelivery,
  updateAlertRule,
} from '../../alerts/alert-rules';

const ruleId = z.object({ ruleId: z.string().trim().min(1).max(100) });
const RuleWithSecretSchema = z.object({
  rule: AlertRuleSchema,
  /** A webhook's signing secret, shown when it is made (creation, or a change that sets a new one). */
  secret: z.string().nullable(),
});

/** HQ's alert rules and what became of their alerts (docs/hub.md, Alerts). */
export function registerAlertRoutes(app: FastifyInstance, routes: RouteRegistry): void {
  const hub = routes.hub;
  const read = { kind: 'hq', role: 'viewer' } as const;
  const admin = { kind: 'hq', role: 'admin' } as const;

  routes.add(app, {
    method: 'GET',
    url: '/api/alerts/rules',
    summary: 'Alert rules: which exception kinds go to which webhook or e-mail addresses',
    tag: 'alerts',
    access: read,
    response: z.array(AlertRuleSchema),
    handler: () => listAlertRules(hub.storage.db),
  });
  routes.add(app, {
    method: 'GET',
    url: '/api/alerts/rules/:ruleId',
    summary: 'One alert rule, with its version and its failed deliveries',
    tag: 'alerts',
    access: read,
    params: ruleId,
    errors: [404],
    response: AlertRuleSchema,
    handler: ({ params }) => getAlertRule(hub.storage.db, params.ruleId),
  });
  routes.add(app, {
    method: 'POST',
    url: '/api/alerts/rules',
    summary:
      'Send new exceptions of a kind (optionally from a severity, at a store) to a signed webhook or e-mail addresses; a webhook secret is returned once',
    tag: 'alerts',
    access: admin,
    body: AlertRuleInputSchema,
    response: RuleWithSecretSchema,
    successStatus: 201,
    handler: ({ body, actor }) => createAlertRule(hub, body, actor),
  });
  routes.add(app, {
    method: 'PUT',
    url: '/api/alerts/rules/:ruleId',
    summary: 'Change an alert rule at the version you saw (409 when someone changed it meanwhile)',
    tag: 'alerts',
    access: admin,
    params: ruleId,
    body: AlertRuleUpdateSchema,
    errors: [404, 409],
    response: RuleWithSecretSchema,
    handler: ({ params, body }) => updateAlertRule(hub, params.ruleId, body),
  });
  routes.add(app, {
    method: 'DELETE',
    url: '/api/alerts/rules/:ruleId',
    summary: 'Delete an alert rule at the version you saw; alerts it already queued are still sent',
    tag: 'alerts',
    access: admin,
    params: ruleId,
    query: z.object({ version: z.coerce.number().int().min(1) }),
    errors: [404, 409],
    response: z.object({ deleted: z.literal(true) }),
    handler: async ({ params, query }) => {
      await deleteAlertRule(hub, params.ruleId, query.version);
      return { deleted: true as const };
    },
  });
  routes.add(app, {
    method: 'GET',
    url: '/api/alerts/deliveries',
    summary: 'Alerts sent, waiting or failed (newest first); failed ones ran out of attempts',
    tag: 'alerts',
    access: read,
    query: AlertDeliveryFilterSchema,
    response: z.array(AlertDeliverySchema),
    handler: ({ query }) => listAlertDeliveries(hub.storage.db, query),
  });
  routes.add(app, {
    method: 'POST',
    url: '/api/alerts/deliveries/:deliveryId/retry',
    summary: 'Send a failed alert again (after fixing the receiver or the mail server)',
    tag: 'alerts',
    access: { kind: 'hq', role: 'operator' },
    params: z.object({ deliveryId: z.string().trim().min(1).max(100) }),
    errors: [404],
    response: AlertDeliverySchema,
    handler: ({ params }) => retryAlertDelivery(hub, params.deliveryId),
  });
}
