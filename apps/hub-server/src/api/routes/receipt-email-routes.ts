import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { RouteRegistry } from '../route';
import {
  ReceiptEmailFilterSchema,
  ReceiptEmailViewSchema,
  listReceiptEmails,
} from '../../receipts/receipt-emails';

/** Whether receipt e-mails tills asked for went out (docs/hub.md, Receipt e-mails). */
export function registerReceiptEmailRoutes(app: FastifyInstance, routes: RouteRegistry): void {
  const hub = routes.hub;
  routes.add(app, {
    method: 'GET',
    url: '/api/receipt-emails',
    summary:
      'Receipt e-mails tills asked for and their delivery state (pending, delivered, failed), newest first',
    tag: 'alerts',
    access: { kind: 'hq', role: 'viewer' },
    query: ReceiptEmailFilterSchema,
    response: z.array(ReceiptEmailViewSchema),
    handler: ({ query }) => listReceiptEmails(hub.storage.db, query),
  });
}
