import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  ReportCursorSchema,
  StoredValueAccountPageSchema,
  StoredValueAccountQuerySchema,
  StoredValueLedgerPageSchema,
  StoredValueLedgerQuerySchema,
  allPages,
  listStoredValueAccounts,
  storedValueAccountsCsv,
  storedValueLedgerCsv,
  storedValueLedgerPage,
} from '../../loyalty/stored-value-report';
import type { RouteRegistry } from '../route';

const AccountParams = z.object({ accountId: z.string().trim().min(1).max(100) });

/** Gift card and store credit accounts with their ledgers, for HQ's reports (JSON pages and CSV). */
export function registerStoredValueRoutes(app: FastifyInstance, routes: RouteRegistry): void {
  const hub = routes.hub;
  const read = { kind: 'hq', role: 'viewer' } as const;
  routes.add(app, {
    method: 'GET',
    url: '/api/loyalty/stored-value',
    summary:
      'Gift card and store credit accounts, newest first, with balance, status and issuing store; search by id, last digits, customer or card number',
    tag: 'loyalty',
    access: read,
    query: StoredValueAccountQuerySchema,
    response: StoredValueAccountPageSchema,
    handler: ({ query }) => listStoredValueAccounts(hub.storage.db, hub.storage, query, hub.now()),
  });
  routes.add(app, {
    method: 'GET',
    url: '/api/loyalty/stored-value/csv',
    summary: 'The gift card and store credit accounts the same search finds, every page, as CSV',
    tag: 'loyalty',
    access: read,
    query: StoredValueAccountQuerySchema.omit({ cursor: true, limit: true }),
    response: z.string(),
    rawResponse: { contentType: 'text/csv' },
    handler: async ({ query, reply }) => {
      const at = hub.now();
      const rows = await allPages(async (cursor) => {
        const page = await listStoredValueAccounts(
          hub.storage.db,
          hub.storage,
          {
            ...query,
            limit: 500,
            cursor: cursor === undefined ? undefined : ReportCursorSchema.parse(cursor),
          },
          at,
        );
        return { rows: page.accounts, nextCursor: page.nextCursor };
      });
      void reply.header('content-disposition', 'attachment; filename="stored-value-accounts.csv"');
      return storedValueAccountsCsv(rows);
    },
  });
  routes.add(app, {
    method: 'GET',
    url: '/api/loyalty/stored-value/:accountId/ledger',
    summary:
      'A gift card or store credit account (`sv-…`) with one page of its ledger, newest first: loads, redemptions, refunds, holds and their release, with store, till and receipt',
    tag: 'loyalty',
    access: read,
    params: AccountParams,
    query: StoredValueLedgerQuerySchema,
    errors: [404],
    response: StoredValueLedgerPageSchema,
    handler: ({ params, query }) => storedValueLedgerPage(hub.storage.db, params.accountId, query, hub.now()),
  });
  routes.add(app, {
    method: 'GET',
    url: '/api/loyalty/stored-value/:accountId/ledger/csv',
    summary: "A gift card or store credit account's whole ledger as CSV, newest first",
    tag: 'loyalty',
    access: read,
    params: AccountParams,
    errors: [404],
    response: z.string(),
    rawResponse: { contentType: 'text/csv' },
    handler: async ({ params, reply }) => {
      const at = hub.now();
      const rows = await allPages(async (cursor) => {
        const page = await storedValueLedgerPage(
          hub.storage.db,
          params.accountId,
          { limit: 500, cursor: cursor === undefined ? undefined : ReportCursorSchema.parse(cursor) },
          at,
        );
        return { rows: page.entries, nextCursor: page.nextCursor };
      });
      void reply.header('content-disposition', `attachment; filename="${params.accountId}-ledger.csv"`);
      return storedValueLedgerCsv(rows);
    },
  });
}
