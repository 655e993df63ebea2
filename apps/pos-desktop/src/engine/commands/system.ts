import { DomainError } from '@retail/domain';
import type { AuditEntry } from '../../shared/commands';
import { scanBarcode, searchCatalog } from '../catalog';
import type { CommandHandlers } from '../command-context';
import { sql } from '../context';
import { syncStatus } from '../sync/sync-status';
import { readHubConnection } from '../sync/store-sync';

interface AuditRow {
  auditId: number;
  at: string;
  action: string;
  staffId: string | null;
  subject: string | null;
  overrideId: string | null;
  txId: string | null;
  details: string;
}

export const systemHandlers = {
  'node-info': {
    mutates: false,
    handle(ctx) {
      const store = sql(ctx.db, 'SELECT name FROM stores WHERE store_id = ?').get(ctx.identity.storeId) as
        { name: string } | undefined;
      return { ...ctx.identity, storeName: store?.name ?? null };
    },
  },
  'node-setup-status': {
    mutates: false,
    handle(ctx) {
      const hubUrl =
        (
          sql(ctx.db, 'SELECT hub_url AS hubUrl FROM sync_state').get() as
            { hubUrl: string | null } | undefined
        )?.hubUrl ?? null;
      return {
        state: 'ready' as const,
        storeCode: ctx.identity.storeCode,
        deviceNo: ctx.identity.deviceNo,
        hubUrl,
        enrolled: readHubConnection(ctx.db) !== null,
      };
    },
  },
  'node-setup': {
    // A node that answers commands is set up; only the setup server of a new till takes this.
    mutates: false,
    handle(ctx) {
      throw new DomainError('CONFLICT', 'system.tillAlreadySetUp', {
        storeCode: ctx.identity.storeCode,
        deviceNo: ctx.identity.deviceNo,
      });
    },
  },
  'catalog-search': {
    mutates: false,
    handle: (ctx, input) => ({ items: searchCatalog(ctx, input.query, input.limit) }),
  },
  'catalog-scan': {
    mutates: false,
    handle: (ctx, input) => scanBarcode(ctx, input.code),
  },
  'sync-status': {
    mutates: false,
    handle: (ctx) => syncStatus(ctx.db, ctx.nowMs, ctx.sync.status()),
  },
  'sync-now': {
    // Asking the agent to try again writes nothing: the agent does its work outside this transaction.
    mutates: false,
    handle(ctx) {
      ctx.sync.syncNow();
      return syncStatus(ctx.db, ctx.nowMs, ctx.sync.status());
    },
  },
  'sync-network-back': {
    // Sent by any window of this node without a session (the lock screen hears the network come back too);
    // a live agent is not disturbed, so a burst of OS events costs nothing.
    mutates: false,
    handle(ctx) {
      if (!ctx.sync.online) ctx.sync.syncNow();
      return syncStatus(ctx.db, ctx.nowMs, ctx.sync.status());
    },
  },
  'audit-log-list': {
    mutates: false,
    handle(ctx, input) {
      const rows = sql(
        ctx.db,
        `SELECT audit_id AS auditId, at, action, staff_id AS staffId, subject, override_id AS overrideId,
           tx_id AS txId, details
         FROM audit_log
         WHERE (@beforeId IS NULL OR audit_id < @beforeId) AND (@action IS NULL OR action = @action)
         ORDER BY audit_id DESC LIMIT @limit`,
      ).all({
        beforeId: input.beforeId ?? null,
        action: input.action ?? null,
        limit: input.limit,
      }) as AuditRow[];
      const entries: AuditEntry[] = rows.map((row) => ({
        ...row,
        details: JSON.parse(row.details) as Record<string, unknown>,
      }));
      return { entries };
    },
  },
} satisfies Pick<
  CommandHandlers,
  | 'node-info'
  | 'node-setup-status'
  | 'node-setup'
  | 'catalog-search'
  | 'catalog-scan'
  | 'sync-status'
  | 'sync-now'
  | 'sync-network-back'
  | 'audit-log-list'
>;
