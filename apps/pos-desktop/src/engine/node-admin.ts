import { join } from 'node:path';
import type { CommandRequest, CommandResponse, NodeAdminCommandName } from '../shared/commands';
import { backupFileName, backupStoreDatabase, ensureBackupFolder } from './backup';
import type { Db } from './database';
import type { NodeIdentity } from './identity';
import { connectToHub } from './sync/hub-connect';
import type { StoreSync } from './sync/store-sync';

/**
 * Commands a manager runs on the node itself, from the desktop app's settings screen: they wait on the
 * network or the disk, so they run outside a database transaction (the engine checks the session and role
 * first, and writes the audit row after they succeed).
 */
export interface NodeAdminContext {
  readonly db: Db;
  readonly identity: NodeIdentity;
  readonly databasePath: string;
  readonly sync: StoreSync;
  readonly nowMs: number;
  readonly fetch?: typeof fetch;
}

export interface NodeAdminOutcome<N extends NodeAdminCommandName> {
  readonly value: CommandResponse<N>;
  readonly subject: string;
  readonly details: Record<string, unknown>;
}

type NodeAdminHandlers = {
  readonly [N in NodeAdminCommandName]: (
    ctx: NodeAdminContext,
    input: CommandRequest<N>,
  ) => Promise<NodeAdminOutcome<N>>;
};

export const NODE_ADMIN_HANDLERS: NodeAdminHandlers = {
  async 'node-hub-connect'(ctx, input) {
    const value = await connectToHub(
      { db: ctx.db, identity: ctx.identity, sync: ctx.sync, ...(ctx.fetch ? { fetch: ctx.fetch } : {}) },
      input,
      { codeWhenEnrolled: 'refuse' },
    );
    // The code is a one-time secret: the audit row says that one was used, never which.
    return {
      value,
      subject: value.hubUrl,
      details: { enrolled: value.enrolled, withCode: input.code !== undefined },
    };
  },
  async 'node-backup'(ctx) {
    const folder = ensureBackupFolder(ctx.databasePath);
    const result = await backupStoreDatabase(ctx.databasePath, join(folder, backupFileName(ctx.nowMs)));
    const schema = result.migrations.at(-1) ?? 'none';
    return {
      value: { file: result.file, pages: result.pages, schema, createdAt: new Date(ctx.nowMs).toISOString() },
      subject: result.file,
      details: { pages: result.pages, schema },
    };
  },
};
