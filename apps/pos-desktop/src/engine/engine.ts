import { DomainError, createUuidV7Generator, toErrorBody, type Result } from '@retail/domain';
import { parseHlc, type Hlc } from '@retail/sync';
import { pooledRandomBytes } from '@retail/sync/random-pool';
import type { z } from 'zod';
import {
  NODE_ADMIN_COMMANDS,
  ROLE_RANK,
  STORE_COMMANDS,
  SaleViewSchema,
  type CommandAuth,
  type NodeAdminCommandName,
  type SaleView,
  isCommandName,
  type CommandInput,
  type CommandName,
  type CommandResponse,
} from '../shared/commands';
import type { StoreNotification } from '../shared/notifications';
import {
  CommittedRejection,
  resolveSession,
  type Actor,
  type CommandContext,
  type CommandHandlers,
  type TransactionalCommandName,
} from './command-context';
import { checkedAnswer } from './command-answers';
import { bopisFeedNotifications, bopisHandlers } from './commands/bopis';
import { drawerHandlers } from './commands/drawer';
import { GIFT_CARD_PREPARERS, giftCardHandlers } from './commands/gift-card';
import { ORDER_RETURN_PREPARERS, orderReturnHandlers } from './commands/order-return';
import { PRICE_CHECK_PREPARERS, priceCheckHandlers } from './commands/price-check';
import { receiptHandlers } from './commands/receipt';
import { returnHandlers } from './commands/return';
import { saleHandlers } from './commands/sale';
import { shiftHandlers } from './commands/shift';
import { staffHandlers } from './commands/staff';
import { receivingHandlers } from './commands/receiving';
import { stockHandlers } from './commands/stock';
import { systemHandlers } from './commands/system';
import { MAIN_LANE, type LaneIdentity } from './lanes/lane-identity';
import {
  authenticateDevice,
  laneHandlers,
  pairDevice,
  resolveLane,
  type PairedDevice,
  type PairOutcome,
} from './lanes/lanes';
import {
  createTxContext,
  hasLanesSchema,
  type ContextSources,
  type EngineClock,
  sql,
  type RandomBytes,
  type TxContext,
} from './context';
import { openDatabase, type Db } from './database';
import { applyFeedChanges, type FeedApplyResult, type FeedPage } from './feed/apply-feed';
import { requireIdentity, type NodeIdentity } from './identity';
import { localStock } from './local-stock';
import { createHubCall, createLoyaltyHubClient, type LoyaltyHubClient } from './loyalty/hub-loyalty-client';
import { prepareHubSale } from './sales/hub-sale';
import { holdsReceipt } from './receipts/receipt';
import { LOYALTY_PREPARERS, loyaltyHandlers, type Preparation } from './loyalty/loyalty-commands';
import { migrate, loadMigrations, type Migration } from './migrations';
import { NODE_ADMIN_HANDLERS } from './node-admin';
import { syncStatus } from './sync/sync-status';
import { DEFAULT_PIN_COST, type PinHashCost } from './pin';
import { nextPricingChangeAt, PriceSwitchTimer } from './sales/price-switch';
import { DEFAULT_MIN_FREE_DISK_BYTES, requireDiskHeadroom, storageFailureOf } from './disk-space';
import { readSettings, type NodeSettings } from './settings';
import { createStoreSync, readHubConnection, type StoreSync, type StoreSyncOptions } from './sync/store-sync';
import { SqliteOutboxStore } from './outbox/outbox';
import { walCheckpointer, type WalCheckpointOptions } from './wal-checkpoint';
import { warmUpSales, type WarmUpReport } from './warm-up';

export const COMMAND_HANDLERS: CommandHandlers = {
  ...systemHandlers,
  ...staffHandlers,
  ...shiftHandlers,
  ...drawerHandlers,
  ...stockHandlers,
  ...receivingHandlers,
  ...saleHandlers,
  ...giftCardHandlers,
  ...orderReturnHandlers,
  ...priceCheckHandlers,
  ...returnHandlers,
  ...receiptHandlers,
  ...bopisHandlers,
  ...loyaltyHandlers,
  ...laneHandlers,
};

/** The logging surface the engine needs; pino loggers fit it. Never pass PINs, sessions or tokens. */
export interface EngineLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

const silentLogger: EngineLogger = { info() {}, warn() {}, error() {} };

export interface EngineOptions {
  /** The node's SQLite file (created if missing). */
  readonly databasePath: string;
  readonly clock?: EngineClock;
  readonly randomBytes?: RandomBytes;
  /** scrypt cost for new PIN hashes; tests lower it, production keeps the default. */
  readonly pinCost?: PinHashCost;
  readonly logger?: EngineLogger;
  readonly migrations?: readonly Migration[];
  /**
   * The sync agent: started as soon as a hub URL and a device credential are configured (enrollment),
   * with these options; `false` never starts it (tools that only read or repair the database).
   */
  readonly sync?: StoreSyncOptions | false;
  /**
   * Online loyalty and stored-value calls (customer lookups, redemption holds); defaults to HTTP to the
   * configured hub with a 2 s timeout, and to "unreachable" whenever the sync agent is not connected.
   */
  readonly loyaltyHub?: LoyaltyHubClient;
  /**
   * Signs the grants of `drawer-open` for the desktop shell that kicks the drawer (drawer-grant.ts);
   * without it the node still audits openings but grants none.
   */
  readonly drawerKey?: Uint8Array;
  /** Free disk space below which a new sale is refused before it starts (default 16 MiB). */
  readonly minFreeDiskBytes?: number;
  /** When the log is checkpointed: once the till is idle, off the command path (wal-checkpoint.ts). */
  readonly checkpoint?: WalCheckpointOptions;
}

export interface ExecuteOptions {
  /** The session token from `staff-sign-in`. */
  readonly session?: string;
  /**
   * The paired lane sending the command (the socket server knows it from the lane's credential); the
   * main till when absent. Its sessions, register and PIN lockouts are its own.
   */
  readonly laneId?: string;
  /**
   * Takes what follows a committed command (waking the outbox's pusher, notifications, customer
   * displays) to run once the answer has left: the socket server runs it after writing the answer, so
   * none of it delays the cashier. It is handed over only after the commit (synchronous=FULL where the
   * command needs it), so the answer still never precedes durability. Without it the work runs before
   * `execute` returns.
   */
  readonly afterAnswer?: (followUp: () => void) => void;
}

interface RunOptions extends ExecuteOptions {
  /** What the command's async preparation fetched (see executeAsync). */
  readonly prepared?: unknown;
}

export type NotificationListener = (notification: StoreNotification) => void;
/** A sale as it stands after a command changed it (customer displays follow their register's sale). */
export type SaleListener = (sale: SaleView) => void;

export interface StoreEngine {
  readonly db: Db;
  readonly identity: NodeIdentity;
  readonly clock: EngineClock;
  execute<N extends CommandName>(
    name: N,
    input: CommandInput<N>,
    options?: ExecuteOptions,
  ): Result<CommandResponse<N>>;
  /** For transport edges: the command name and input come straight off the wire. */
  executeUnknown(name: string, input: unknown, options?: ExecuteOptions): Result<unknown>;
  /**
   * Like execute, but first runs the command's async preparation when it has one: customer lookups and
   * redemption holds ask the hub (short timeout) before the transaction. The socket server uses this;
   * `execute` runs the same commands as if the hub did not answer.
   */
  executeAsync<N extends CommandName>(
    name: N,
    input: CommandInput<N>,
    options?: ExecuteOptions,
  ): Promise<Result<CommandResponse<N>>>;
  executeUnknownAsync(name: string, input: unknown, options?: ExecuteOptions): Promise<Result<unknown>>;
  /**
   * Runs `work` as one transaction with a full command context (outbox, audit, notifications) but no
   * staff session: for setup paths such as fixture loading and `pos-store init`.
   */
  transact<T>(label: string, work: (ctx: CommandContext) => T): T;
  /** Applies a page of hub changes (see applyFeedChanges) and notifies clients of the stock it changed. */
  applyFeed(page: FeedPage): FeedApplyResult;
  subscribe(listener: NotificationListener): () => void;
  /**
   * Told after every committed command that changed a sale, with the sale as its answer showed it. This
   * is the node's own channel for customer displays: it never goes to staff screens as such.
   */
  onSaleChanged(listener: SaleListener): () => void;
  /** The open sale of a register, or null (what a customer display shows when it connects). */
  currentSale(registerId: string): SaleView | null;
  settings(): NodeSettings;
  /** Trades a pairing code for a new lane or display credential (`POST /lanes/pair`). */
  pairDevice(code: string, certificateFingerprint: string | null): PairOutcome;
  /** The paired device a credential belongs to; undefined when unknown or revoked. */
  authenticateDevice(credential: string): PairedDevice | undefined;
  /**
   * The node's outbox as the sync agent's pusher reads it. After each command that appended events
   * commits, the engine tells it (`committed()`), and the pusher listening sends them.
   */
  readonly outbox: SqliteOutboxStore;
  /** The link to the hub (outbox pusher, feed puller, status); idle until a hub is configured. */
  readonly sync: StoreSync;
  /**
   * Rings up `sales` sales of the till's own catalog through the command path, each rolled back, so V8
   * has run and compiled the sale path before the first cashier (warm-up.ts). Commits nothing; the
   * node's in-memory clock state is restored; nothing that follows a command runs for them.
   */
  warmUp(sales: number, budgetMs?: number): WarmUpReport;
  /** Stops the sync agent (calls in flight settle), then closes the database. */
  shutdown(): Promise<void>;
  /** Closes at once; a running sync agent is told to stop and finds the database closed. */
  close(): void;
}

function describeIssues(name: string, error: z.ZodError): DomainError {
  const issues = error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
  const first = issues[0];
  const where = first && first.path !== '' ? `${first.path}: ` : '';
  return new DomainError(
    'INVALID_INPUT',
    'engine.requestNotValid',
    { name, where, firstMessage: first?.message ?? 'Check the input.' },
    { issues },
  );
}

/**
 * A paired lane works on its own register only: a register named in the input must be the lane's, and a
 * sale named by id must be on it, except that completed sales may be read from any register (receipts,
 * returns). Resuming a parked sale moves it to the register given, which is the check that applies then.
 * The main till may use any register.
 */
function checkLaneScope(tx: TxContext, lane: LaneIdentity, input: unknown, mutates: boolean): void {
  if (lane.registerId === null || typeof input !== 'object' || input === null) return;
  const { registerId, saleId } = input as { registerId?: unknown; saleId?: unknown };
  const refuse = (register: string) =>
    new DomainError(
      'FORBIDDEN',
      'engine.lanePairedRegisterRegister',
      { registerId: String(lane.registerId), register },
      { laneRegisterId: lane.registerId, registerId: register },
    );
  if (typeof registerId === 'string') {
    if (registerId !== lane.registerId) throw refuse(registerId);
    return;
  }
  if (typeof saleId !== 'string') return;
  const sale = sql(tx.db, 'SELECT register_id AS registerId, status FROM sales WHERE sale_id = ?').get(
    saleId,
  ) as { registerId: string; status: string } | undefined;
  if (!sale || sale.registerId === lane.registerId) return;
  if (mutates || sale.status === 'open' || sale.status === 'parked') throw refuse(sale.registerId);
}

/**
 * Edits of an open sale's cart: they append no outbox event, move no money and no stock, and the cart
 * they change is still in front of the cashier. They commit with `synchronous=NORMAL`: in WAL mode the
 * commit is in the operating system before it returns, so a crash of the node (kill -9) loses nothing,
 * and only a power cut can take back the last scans of a cart not yet paid. Every other command,
 * `sale-complete` above all, waits for the disk (FULL), and that fsync of the log also makes every
 * earlier cart edit durable, so the log never holds a completed sale without the cart it came from.
 * Loyalty, store-credit and gift-card tenders talk to the hub's holds: they stay FULL.
 */
export function commitsWithoutFsync(name: CommandName, input: unknown): boolean {
  switch (name) {
    case 'sale-start':
    case 'sale-add-line':
    case 'sale-set-qty':
    case 'sale-remove-line':
      return true;
    case 'sale-add-tender': {
      const type = (input as { tender?: { type?: unknown } }).tender?.type;
      return type === 'cash' || type === 'card';
    }
    default:
      return false;
  }
}

/** The warm-up's commands are rolled back: what would follow their commit never runs. */
const dropFollowUp = (): void => {};

function isNodeAdminCommand(name: string): name is NodeAdminCommandName {
  return (NODE_ADMIN_COMMANDS as readonly string[]).includes(name);
}

export function openStoreEngine(options: EngineOptions): StoreEngine {
  const clock = options.clock ?? { now: () => Date.now() };
  const randomBytes: RandomBytes = options.randomBytes ?? pooledRandomBytes();
  const logger = options.logger ?? silentLogger;
  const pinCost = options.pinCost ?? DEFAULT_PIN_COST;
  const { databasePath } = options;
  const minFreeDiskBytes = options.minFreeDiskBytes ?? DEFAULT_MIN_FREE_DISK_BYTES;
  const db = openDatabase(options.databasePath);
  let identity: NodeIdentity;
  const migrations = options.migrations ?? loadMigrations();
  try {
    migrate(db, migrations, () => clock.now());
    identity = requireIdentity(db);
  } catch (error) {
    db.close();
    throw error;
  }
  const lastHlcRow = db.prepare('SELECT last_hlc AS lastHlc FROM device_state').get() as {
    lastHlc: string | null;
  };
  const lastHlc: Hlc | undefined = lastHlcRow.lastHlc === null ? undefined : parseHlc(lastHlcRow.lastHlc);
  const sources: ContextSources = {
    db,
    identity,
    clock,
    ids: createUuidV7Generator({ now: () => clock.now(), randomBytes }),
    randomBytes,
    lastHlc,
    lanesSchema: hasLanesSchema(db),
  };
  const listeners = new Set<NotificationListener>();
  const saleListeners = new Set<SaleListener>();
  let closed = false;
  // Prices and promotions switch on and off at their times with or without the hub: tell the screens.
  const priceSwitch = new PriceSwitchTimer({
    next: (at) => nextPricingChangeAt(db, at),
    now: () => clock.now(),
    fire: (at) => {
      if (closed || listeners.size === 0) return;
      deliver([{ name: 'prices-changed', payload: { at: new Date(at).toISOString() } }]);
    },
  });
  const outbox = new SqliteOutboxStore(db);
  const checkpointer = walCheckpointer(db, {
    ...options.checkpoint,
    onError: (error) => logger.warn({ err: error }, 'checkpoint of the database log failed'),
  });
  const storeSync: StoreSync = createStoreSync(
    {
      db,
      outbox,
      identity: () => identity,
      onIdentityChanged(next) {
        // A till restored from a backup became a new device: new device number, new receipt numbers.
        identity = next;
        sources.identity = next;
        if (closed || listeners.size === 0) return;
        deliver([{ name: 'sync-status', payload: syncStatus(db, clock.now(), storeSync.status()) }]);
      },
      now: () => clock.now(),
      logger,
      migrations,
      onFeedApplied(stockSkus, kind) {
        if (closed) return;
        checkpointer.committed();
        priceSwitch.arm();
        if (listeners.size === 0) return;
        const notifications: StoreNotification[] = [];
        if (kind === 'page' && stockSkus.length > 0) {
          notifications.push({
            name: 'stock-changed',
            payload: { levels: localStock(db, identity, [...stockSkus]) },
          });
        }
        notifications.push({ name: 'sync-status', payload: syncStatus(db, clock.now(), storeSync.status()) });
        // Orders the hub routed here arrive through the feed: announce new ones, refresh the queue.
        notifications.push(
          ...db.transaction(() => bopisFeedNotifications(db, identity, clock.now())).immediate(),
        );
        deliver(notifications);
      },
    },
    options.sync === false ? {} : options.sync,
  );
  sources.sync = () => ({
    online: storeSync.online(),
    status: () => storeSync.status(),
    syncNow: () => storeSync.syncNow(),
  });
  storeSync.onStatus((status) => {
    if (listeners.size === 0 || closed) return;
    deliver([{ name: 'sync-status', payload: syncStatus(db, clock.now(), status) }]);
  });

  function commandContext(
    tx: TxContext,
    actor: Actor | undefined,
    lane: LaneIdentity,
    prepared?: unknown,
  ): CommandContext {
    let settings: NodeSettings | undefined;
    return Object.assign(tx, {
      actor,
      lane,
      pinCost,
      drawerKey: options.drawerKey,
      prepared,
      auditNote: {},
      staff(): Actor {
        if (!actor) throw new DomainError('UNAUTHORIZED', 'engine.signStaffCodePin');
        return actor;
      },
      settings(): NodeSettings {
        settings ??= readSettings(db, identity);
        return settings;
      },
    });
  }

  /**
   * What follows a committed command, none of which its answer needs: waking the outbox's reader (the
   * pusher) when it appended events, and the notifications, those its handler collected followed by the
   * ones read from what it wrote (local stock of the SKUs it touched, the sync status). Read after the
   * commit, so the transaction holds the write lock no longer than the command itself.
   */
  function followUpOf(ctx: CommandContext, sale?: SaleView): () => void {
    const { notifications, touchedSkus, nowMs } = ctx;
    const appendedEvents = ctx.appendedEvents.length;
    const followUp = () => {
      if (closed) return;
      // Committed: the outbox tells its reader, the pusher, which sends what this command wrote (it reads
      // the outbox, never the transaction).
      if (appendedEvents > 0) outbox.committed();
      // Nobody to tell (e.g. loading a 100,000-SKU fixture before the server starts): skip the queries.
      if (listeners.size > 0) {
        const read: StoreNotification[] = [];
        if (touchedSkus.size > 0) {
          read.push({
            name: 'stock-changed',
            payload: { levels: localStock(db, identity, [...touchedSkus]) },
          });
        }
        if (appendedEvents > 0) {
          read.push({ name: 'sync-status', payload: syncStatus(db, nowMs, storeSync.status()) });
        }
        deliver(read.length === 0 ? notifications : [...notifications, ...read]);
      }
      if (sale !== undefined) tellSaleListeners(sale);
    };
    return () => {
      try {
        followUp();
      } catch (error) {
        // The command is committed and answered: a failed read here costs a notification, not the sale.
        logger.error({ command: ctx.command, err: error }, 'work after a committed command failed');
      }
    };
  }

  function deliver(notifications: readonly StoreNotification[]): void {
    for (const notification of notifications) {
      for (const listener of listeners) {
        try {
          listener(notification);
        } catch (error) {
          logger.error({ notification: notification.name, err: error }, 'notification listener failed');
        }
      }
    }
  }

  function tellSaleListeners(sale: SaleView): void {
    for (const listener of saleListeners) {
      try {
        listener(sale);
      } catch (error) {
        logger.error({ saleId: sale.saleId, err: error }, 'sale listener failed');
      }
    }
  }

  /** The signed-in staff member a command runs for, checked against the role it needs. */
  function authorize(
    tx: TxContext,
    auth: CommandAuth,
    session: string | undefined,
    laneId: string,
  ): Actor | undefined {
    if (auth === 'none') return undefined;
    if (session === undefined) {
      throw new DomainError('UNAUTHORIZED', 'engine.signStaffCodePin');
    }
    const actor = resolveSession(tx, session, laneId);
    if (ROLE_RANK[actor.role] < ROLE_RANK[auth]) {
      throw new DomainError(
        'FORBIDDEN',
        'engine.onlyCanSigned',
        { auth, role: actor.role },
        { required: auth, role: actor.role },
      );
    }
    return actor;
  }

  /** Node-admin commands: authorized in a transaction, run outside one, audited once they succeeded. */
  async function runNodeAdmin(
    name: NodeAdminCommandName,
    rawInput: unknown,
    execution: ExecuteOptions,
  ): Promise<Result<unknown>> {
    const spec = STORE_COMMANDS[name];
    const parsed = spec.request.safeParse(rawInput ?? {});
    if (!parsed.success) return { ok: false, error: describeIssues(name, parsed.error).toJSON() };
    try {
      const actor = db
        .transaction(() => {
          const tx = createTxContext(sources, name);
          const lane = resolveLane(tx, execution.laneId ?? MAIN_LANE.laneId);
          return authorize(tx, spec.auth, execution.session, lane.laneId);
        })
        .deferred();
      const handler = NODE_ADMIN_HANDLERS[name] as (
        ctx: Parameters<(typeof NODE_ADMIN_HANDLERS)[NodeAdminCommandName]>[0],
        input: unknown,
      ) => Promise<{ value: unknown; subject: string; details: Record<string, unknown> }>;
      const outcome = await handler(
        {
          db,
          identity,
          databasePath: options.databasePath,
          sync: storeSync,
          nowMs: Math.floor(clock.now()),
          ...(options.sync !== false && options.sync?.fetch !== undefined
            ? { fetch: options.sync.fetch }
            : {}),
        },
        parsed.data,
      );
      const response = spec.response.safeParse(outcome.value);
      if (!response.success) {
        throw new DomainError(
          'INTERNAL',
          'engine.answerBrokeCommandContract',
          { name },
          {
            issue: response.error.issues[0]?.message,
          },
        );
      }
      transact(name, (ctx) =>
        ctx.audit({
          action: name,
          staffId: actor?.staffId ?? null,
          subject: outcome.subject,
          overrideId: null,
          details: outcome.details,
        }),
      );
      return { ok: true, value: response.data };
    } catch (error) {
      const storage = storageFailureOf(error);
      if (storage !== undefined) {
        logger.error({ command: name, err: error }, 'command not saved: the database cannot be written');
        return { ok: false, error: storage.toJSON() };
      }
      if (!(error instanceof DomainError) || error.code === 'INTERNAL') {
        logger.error({ command: name, err: error }, 'command failed unexpectedly');
      }
      return { ok: false, error: toErrorBody(error) };
    }
  }

  function run(name: string, rawInput: unknown, options: RunOptions): Result<unknown> {
    if (closed)
      return {
        ok: false,
        error: { code: 'INTERNAL', message: 'The store node is shutting down. Try again in a moment.' },
      };
    if (!isCommandName(name)) {
      return {
        ok: false,
        error: new DomainError(
          'NOT_FOUND',
          'engine.noCommandCalled',
          { name: JSON.stringify(name) },
          {
            name,
          },
        ).toJSON(),
      };
    }
    if (isNodeAdminCommand(name)) {
      return {
        ok: false,
        error: new DomainError('NOT_ALLOWED', 'engine.waitsNetworkDiskSend', { name }).toJSON(),
      };
    }
    const spec = STORE_COMMANDS[name];
    const definition = COMMAND_HANDLERS[name] as CommandHandlers[TransactionalCommandName];
    const parsed = spec.request.safeParse(rawInput ?? {});
    if (!parsed.success) return { ok: false, error: describeIssues(name, parsed.error).toJSON() };
    let followUp: (() => void) | undefined;
    const withoutFsync = definition.mutates && !db.inTransaction && commitsWithoutFsync(name, parsed.data);
    try {
      // A full disk refuses the sale at its start, before any payment, not at completion.
      if (name === 'sale-start') requireDiskHeadroom(databasePath, minFreeDiskBytes);
      const transaction = db.transaction(() => {
        const tx = createTxContext(sources, name);
        const lane = resolveLane(tx, options.laneId ?? MAIN_LANE.laneId);
        checkLaneScope(tx, lane, parsed.data, definition.mutates);
        const actor = authorize(tx, spec.auth, options.session, lane.laneId);
        const ctx = commandContext(tx, actor, lane, options.prepared);
        const outcome = (definition.handle as (c: CommandContext, i: unknown) => unknown)(ctx, parsed.data);
        if (outcome instanceof CommittedRejection) return outcome;
        if (withoutFsync && ctx.appendedEvents.length > 0) {
          throw new DomainError('INTERNAL', 'engine.wroteOutboxEventMust', { name });
        }
        const answer = checkedAnswer(name, spec.response, outcome);
        if (definition.mutates) {
          ctx.audit({
            action: name,
            staffId: ctx.auditNote.staffId === undefined ? (actor?.staffId ?? null) : ctx.auditNote.staffId,
            subject: ctx.auditNote.subject ?? null,
            overrideId: ctx.auditNote.overrideId ?? null,
            details: ctx.auditNote.details ?? {},
          });
        }
        const changedSale = definition.mutates && spec.response === SaleViewSchema;
        followUp = followUpOf(ctx, changedSale ? (answer as SaleView) : undefined);
        return answer;
      });
      let outcome: unknown;
      // The safety level cannot change inside a transaction: it is set around it.
      if (withoutFsync) sql(db, 'PRAGMA synchronous = NORMAL').run();
      try {
        outcome = definition.mutates ? transaction.immediate() : transaction.deferred();
      } finally {
        if (withoutFsync) sql(db, 'PRAGMA synchronous = FULL').run();
      }
      if (definition.mutates) checkpointer.committed();
      if (outcome instanceof CommittedRejection) return { ok: false, error: outcome.error.toJSON() };
      // Committed, and durable as the command requires: what follows needs nothing of the answer.
      if (followUp !== undefined) {
        if (options.afterAnswer === undefined) followUp();
        else options.afterAnswer(followUp);
      }
      return { ok: true, value: outcome };
    } catch (error) {
      const storage = storageFailureOf(error);
      if (storage !== undefined) {
        logger.error({ command: name, err: error }, 'command not saved: the database cannot be written');
        return { ok: false, error: storage.toJSON() };
      }
      if (!(error instanceof DomainError) || error.code === 'INTERNAL') {
        logger.error({ command: name, err: error }, 'command failed unexpectedly');
      }
      return { ok: false, error: toErrorBody(error) };
    }
  }

  const loyaltyHub =
    options.loyaltyHub ??
    createLoyaltyHubClient({
      connection: () => (closed ? null : readHubConnection(db)),
      online: () => storeSync.online(),
      ...(options.sync !== false && options.sync?.fetch !== undefined ? { fetch: options.sync.fetch } : {}),
    });
  // Online-order returns wait longer than a loyalty lookup: there is no cache to fall back on.
  const hubCall = createHubCall({
    connection: () => (closed ? null : readHubConnection(db)),
    online: () => storeSync.online(),
    timeoutMs: 10_000,
    ...(options.sync !== false && options.sync?.fetch !== undefined ? { fetch: options.sync.fetch } : {}),
  });

  async function runAsync(
    name: string,
    rawInput: unknown,
    options: ExecuteOptions,
  ): Promise<Result<unknown>> {
    if (!closed && isNodeAdminCommand(name)) return runNodeAdmin(name, rawInput, options);
    if (!closed && (name === 'sale-find' || name === 'return-create')) {
      const parsed = STORE_COMMANDS[name].request.safeParse(rawInput ?? {});
      if (!parsed.success) return run(name, rawInput, options);
      // Returns anywhere: a receipt this till does not hold is asked of the hub before the transaction.
      const hubSale = await prepareHubSale(db, storeSync, parsed.data.receiptNumber);
      return run(name, rawInput, { ...options, prepared: hubSale?.prepared });
    }
    if (!closed && (name === 'receipt-preview' || name === 'receipt-print')) {
      const parsed = STORE_COMMANDS[name].request.safeParse(rawInput ?? {});
      if (!parsed.success || holdsReceipt(db, parsed.data.receiptNumber)) return run(name, rawInput, options);
      // Reprint of a receipt this till does not hold: the hub's record, asked before the transaction.
      const hubSale = await prepareHubSale(db, storeSync, parsed.data.receiptNumber);
      return run(name, rawInput, { ...options, prepared: hubSale?.prepared });
    }
    const preparer = isCommandName(name)
      ? (LOYALTY_PREPARERS[name] ??
        GIFT_CARD_PREPARERS[name] ??
        PRICE_CHECK_PREPARERS[name] ??
        ORDER_RETURN_PREPARERS[name])
      : undefined;
    if (closed || preparer === undefined || !isCommandName(name)) return run(name, rawInput, options);
    const parsed = STORE_COMMANDS[name].request.safeParse(rawInput ?? {});
    if (!parsed.success) return run(name, rawInput, options);
    let preparation: Preparation | undefined;
    try {
      preparation = await (preparer as (p: unknown, i: unknown) => Promise<Preparation | undefined>)(
        { db, identity, hub: loyaltyHub, call: hubCall, newId: sources.ids },
        parsed.data,
      );
    } catch (error) {
      // The preparation only reads and asks the hub; without it the command runs as if offline.
      logger.warn({ command: name, err: error }, 'command preparation failed');
    }
    // The answer waits for the hub follow-up below: what follows the commit need not wait with it.
    const withHubFollowUp = preparation?.after !== undefined || preparation?.undo !== undefined;
    const { afterAnswer, ...runOptions } = options;
    const result = run(name, rawInput, {
      ...(withHubFollowUp || afterAnswer === undefined ? runOptions : { ...runOptions, afterAnswer }),
      prepared: preparation?.prepared,
    });
    const followUp = result.ok ? preparation?.after : preparation?.undo;
    if (followUp) {
      await followUp().catch((error: unknown) =>
        logger.warn({ command: name, err: error }, 'loyalty follow-up with the hub failed'),
      );
    }
    return result;
  }

  function transact<T>(label: string, work: (ctx: CommandContext) => T): T {
    let followUp: (() => void) | undefined;
    const result = db
      .transaction(() => {
        const ctx = commandContext(createTxContext(sources, label), undefined, MAIN_LANE);
        const value = work(ctx);
        followUp = followUpOf(ctx);
        return value;
      })
      .immediate();
    checkpointer.committed();
    followUp?.();
    return result;
  }

  const engine: StoreEngine = {
    db,
    get identity() {
      return identity;
    },
    clock,
    execute: <N extends CommandName>(name: N, input: CommandInput<N>, options: ExecuteOptions = {}) =>
      run(name, input, options) as Result<CommandResponse<N>>,
    executeUnknown: (name, input, options = {}) => run(name, input, options),
    executeAsync: <N extends CommandName>(name: N, input: CommandInput<N>, options: ExecuteOptions = {}) =>
      runAsync(name, input, options) as Promise<Result<CommandResponse<N>>>,
    executeUnknownAsync: (name, input, options = {}) => runAsync(name, input, options),
    transact,
    applyFeed(page) {
      const applied = transact('feed-apply', (ctx) => {
        const result = applyFeedChanges(db, identity, page, ctx.nowMs);
        ctx.touchStock(result.stockSkus);
        // Orders the hub routed here arrive through the feed: announce new ones, refresh the queue.
        if (listeners.size > 0) {
          for (const notification of bopisFeedNotifications(db, identity, ctx.nowMs))
            ctx.notify(notification);
        }
        if (listeners.size > 0) {
          ctx.notify({ name: 'sync-status', payload: syncStatus(db, ctx.nowMs, storeSync.status()) });
        }
        return result;
      });
      priceSwitch.arm();
      return applied;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onSaleChanged(listener) {
      saleListeners.add(listener);
      return () => saleListeners.delete(listener);
    },
    currentSale(registerId) {
      if (closed) return null;
      return db
        .transaction(() => {
          const ctx = commandContext(createTxContext(sources, 'display-sale'), undefined, MAIN_LANE);
          const current = COMMAND_HANDLERS['sale-current'].handle(ctx, { registerId });
          return current instanceof CommittedRejection ? null : current.sale;
        })
        .deferred();
    },
    settings: () => readSettings(db, identity),
    pairDevice: (code, certificateFingerprint) =>
      transact('lane-pair', (ctx) => pairDevice(ctx, code, certificateFingerprint)),
    authenticateDevice: (credential) =>
      closed ? undefined : authenticateDevice(db, credential, Math.floor(clock.now())),
    outbox,
    sync: storeSync,
    warmUp(sales, budgetMs) {
      if (closed) return { sales: 0, ms: 0 };
      // The warm-up's outbox events tick the HLC in memory; they are rolled back, so is the tick.
      const lastHlc = sources.lastHlc;
      try {
        return warmUpSales(
          db,
          (name, input, session) => run(name, input, { session, afterAnswer: dropFollowUp }),
          sales,
          () => clock.now(),
          budgetMs,
        );
      } finally {
        sources.lastHlc = lastHlc;
      }
    },
    async shutdown() {
      await storeSync.stop();
      this.close();
    },
    close() {
      if (closed) return;
      closed = true;
      priceSwitch.stop();
      checkpointer.stop();
      void storeSync.stop();
      storeSync.dispose();
      listeners.clear();
      saleListeners.clear();
      db.close();
    },
  };
  priceSwitch.arm();
  if (options.sync !== false && storeSync.configured()) storeSync.start();
  return engine;
}
