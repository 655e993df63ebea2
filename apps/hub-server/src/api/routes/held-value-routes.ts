import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  CreditLimitSchema,
  HeldCreditSchema,
  dropHeldCredit,
  listCreditLimits,
  listHeldCredits,
  releaseHeldCredit,
  saveCreditLimit,
} from '../../loyalty/held-credits';
import {
  HeldPointsSchema,
  HeldStatusSchema,
  dropHeldPoints,
  listHeldPoints,
  releaseHeldPoints,
} from '../../loyalty/held-points';
import type { RouteRegistry } from '../route';

const id = z.string().trim().min(1).max(100);
const decision = z.object({ note: z.string().trim().min(3).max(2000) });
const listing = z.object({
  status: HeldStatusSchema.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/**
 * HQ's side of what the ingest held for review (docs/pricing-loyalty.md "What the hub holds for review"):
 * points of sales it could not verify and store credit it froze, each released or dropped by an operator
 * with a note (which also closes the exception that announced it), and the daily store-credit limits.
 */
export function registerHeldValueRoutes(app: FastifyInstance, routes: RouteRegistry): void {
  const hub = routes.hub;
  const read = { kind: 'hq', role: 'viewer' } as const;
  const write = { kind: 'hq', role: 'operator' } as const;
  const admin = { kind: 'hq', role: 'admin' } as const;

  routes.add(app, {
    method: 'GET',
    url: '/api/loyalty/held-points',
    summary: 'Points of sales the hub could not verify, held until HQ releases or drops them',
    tag: 'loyalty',
    access: read,
    query: listing,
    response: z.array(HeldPointsSchema),
    handler: ({ query }) => listHeldPoints(hub.storage.db, query),
  });
  for (const [action, settle] of [
    ['release', releaseHeldPoints],
    ['drop', dropHeldPoints],
  ] as const) {
    routes.add(app, {
      method: 'POST',
      url: `/api/loyalty/held-points/:holdId/${action}`,
      summary:
        action === 'release'
          ? 'Earn held points as of their sale (less what returns refunded since); closes the exception'
          : 'Drop held points: the sale never earns them; closes the exception',
      tag: 'loyalty',
      access: write,
      params: z.object({ holdId: id }),
      body: decision,
      response: HeldPointsSchema,
      handler: ({ params, body, actor }) => settle(hub, params.holdId, actor, body.note),
    });
  }

  routes.add(app, {
    method: 'GET',
    url: '/api/loyalty/held-credits',
    summary: 'Store credit returns would have issued, frozen until HQ releases or drops it',
    tag: 'loyalty',
    access: read,
    query: listing,
    response: z.array(HeldCreditSchema),
    handler: ({ query }) => listHeldCredits(hub.storage.db, query),
  });
  for (const [action, settle] of [
    ['release', releaseHeldCredit],
    ['drop', dropHeldCredit],
  ] as const) {
    routes.add(app, {
      method: 'POST',
      url: `/api/loyalty/held-credits/:creditId/${action}`,
      summary:
        action === 'release'
          ? 'Issue frozen store credit as its return would have; closes the exception'
          : 'Drop frozen store credit: it is never issued; closes the exception',
      tag: 'loyalty',
      access: write,
      params: z.object({ creditId: id }),
      body: decision,
      response: HeldCreditSchema,
      handler: ({ params, body, actor }) => settle(hub, params.creditId, actor, body.note),
    });
  }

  routes.add(app, {
    method: 'GET',
    url: '/api/loyalty/credit-limits',
    summary: 'The store credit one store may issue per day, per currency',
    tag: 'loyalty',
    access: read,
    response: z.array(CreditLimitSchema),
    handler: () => listCreditLimits(hub.storage.db),
  });
  routes.add(app, {
    method: 'PUT',
    url: '/api/loyalty/credit-limits/:currency',
    summary: 'Set the store credit one store may issue per local day in a currency; more is frozen',
    tag: 'loyalty',
    access: admin,
    params: z.object({ currency: z.string().regex(/^[A-Z]{3}$/) }),
    body: CreditLimitSchema.pick({ perStoreDay: true }),
    response: CreditLimitSchema,
    handler: async ({ params, body, actor }) => {
      const limit = { currency: params.currency, perStoreDay: body.perStoreDay };
      await saveCreditLimit(hub.storage.db, limit, actor, hub.now());
      return limit;
    },
  });
}
