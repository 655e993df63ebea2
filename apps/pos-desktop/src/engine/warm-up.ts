import { randomBytes, randomUUID } from 'node:crypto';
import type { Result } from '@retail/domain';
import { hashSessionToken } from './command-context';
import type { Db } from './database';

/**
 * Warming the node's sale path at start-up (docs/store-node.md, "Warm-up at start").
 *
 * A store node just started runs a sale's code cold: V8 interprets it, gathers type feedback and compiles
 * it (on helper threads) over the first few hundred sales, so the cashier's first sales of the day pay
 * for that. The warm-up rings up real sales of the till's own catalog through the real command path
 * (request check, session, pricing, draft, answer, audit row, the completion's rows, receipt number and
 * outbox event) before the node serves anyone, each inside one transaction that is rolled back: it
 * commits nothing, so it writes nothing that outlives it, and a kill at any point leaves the database as
 * it was (SQLite discards an uncommitted transaction). What follows a committed command (notifications,
 * waking the outbox pusher) never runs for it.
 */

/** How many sales the node rings up, and rolls back, before it serves (POS_STORE_WARMUP_SALES overrides). */
export const DEFAULT_WARMUP_SALES = 200;
/** The warm-up stops after the sale that takes it past this much wall time (a slow or loaded machine). */
export const WARMUP_BUDGET_MS = 1_500;

/** The warm-up's size from POS_STORE_WARMUP_SALES (0 turns it off); the default when unset or not a count. */
export function warmUpSalesSetting(value: string | undefined): number {
  if (value === undefined || !/^\d{1,5}$/.test(value.trim())) return DEFAULT_WARMUP_SALES;
  return Number(value.trim());
}

/**
 * Warms the node before it serves (both entry points call this): logs what it did, and never fails the
 * start, since a node that cannot warm up still sells, cold.
 */
export function warmUpAtStart(
  engine: { warmUp(sales: number): WarmUpReport },
  env: Readonly<Record<string, string | undefined>>,
  logger: {
    info(fields: Record<string, unknown>, message: string): void;
    warn(fields: Record<string, unknown>, message: string): void;
  },
): void {
  try {
    const report = engine.warmUp(warmUpSalesSetting(env.POS_STORE_WARMUP_SALES));
    logger.info(
      { ...report, ms: Math.round(report.ms) },
      'sale path warmed up (every warm-up sale rolled back)',
    );
  } catch (error) {
    logger.warn({ err: error }, 'warm-up of the sale path failed; the node serves cold');
  }
}

export interface WarmUpReport {
  /** Sales rung up to their completion and rolled back. */
  readonly sales: number;
  readonly ms: number;
  /** Why the warm-up stopped early (a command's error code): the till's catalog cannot make a sale. */
  readonly stoppedBy?: string;
}

/** A command run inside the warm-up's transaction, its follow-up dropped. */
export type WarmUpRun = (name: string, input: unknown, session: string) => Result<unknown>;

const LINES = 5;
const CANDIDATES = 64;

/** Thrown to roll a warm-up sale back; never escapes `warmUpSales`. */
class RollBack {}

/** The warm-up sales' lines: barcodes of active piece SKUs of the till's catalog that have a price. */
function candidateBarcodes(db: Db): string[] {
  const rows = db
    .prepare(
      `SELECT b.barcode AS barcode FROM barcodes b JOIN skus s ON s.sku = b.sku
       WHERE s.active = 1 AND s.unit = 'each' AND EXISTS (SELECT 1 FROM prices p WHERE p.sku = s.sku)
       LIMIT ${CANDIDATES}`,
    )
    .all() as { barcode: string }[];
  return rows.map((row) => row.barcode);
}

/** A cashier and a session for the warm-up, inside its transaction (so they vanish with it). */
function warmUpSession(db: Db, nowMs: number): string {
  const token = randomBytes(32).toString('base64url');
  const staffId = `warm-up-${randomUUID()}`;
  const at = new Date(nowMs).toISOString();
  db.prepare(
    `INSERT INTO staff (staff_id, staff_code, name, role, pin_hash, active, created_at, updated_at)
     VALUES (?, ?, 'Warm-up', 'cashier', '!', 1, ?, ?)`,
  ).run(staffId, staffId, at, at);
  db.prepare(
    `INSERT INTO staff_sessions (token_hash, session_id, staff_id, started_at_ms, expires_at_ms)
     VALUES (?, ?, ?, ?, ?)`,
  ).run(hashSessionToken(token), randomUUID(), staffId, nowMs, nowMs + 3_600_000);
  return token;
}

/**
 * One sale of the catalog's first priced piece SKUs, split card + cash as a cashier rings it, inside a
 * transaction rolled back at its end. Answers whether it got to its completion, or the code that stopped it.
 */
function warmUpSale(db: Db, run: WarmUpRun, barcodes: readonly string[], n: number, nowMs: number) {
  let outcome: { completed: true } | { completed: false; code: string } = {
    completed: false,
    code: 'NO_SALE',
  };
  const must = (result: Result<unknown>): unknown => {
    if (!result.ok) {
      outcome = { completed: false, code: result.error.code };
      throw new RollBack();
    }
    return result.value;
  };
  try {
    db.transaction(() => {
      const session = warmUpSession(db, nowMs);
      const registerId = `warm-up-${randomBytes(6).toString('hex')}`;
      must(run('shift-open', { registerId, float: 10_000 }, session));
      const { saleId } = must(run('sale-start', { registerId }, session)) as { saleId: string };
      let total = 0;
      let lines = 0;
      for (let at = 0; lines < LINES && at < barcodes.length; at += 1) {
        const code = barcodes[(n * LINES + at) % barcodes.length] as string;
        const scanned = run('sale-add-line', { saleId, code }, session);
        if (!scanned.ok) continue;
        total = (scanned.value as { totals: { total: number } }).totals.total;
        lines += 1;
      }
      if (lines === 0) {
        outcome = { completed: false, code: 'NO_PRICED_SKU' };
        throw new RollBack();
      }
      const card = Math.floor(total / 2);
      if (card > 0) {
        must(
          run(
            'sale-add-tender',
            { saleId, tender: { type: 'card', amount: card, reference: 'WARM-UP' } },
            session,
          ),
        );
      }
      must(run('sale-add-tender', { saleId, tender: { type: 'cash', amount: total - card + 500 } }, session));
      must(run('sale-complete', { saleId }, session));
      outcome = { completed: true };
      throw new RollBack();
    }).immediate();
  } catch (error) {
    if (!(error instanceof RollBack)) throw error;
  }
  return outcome;
}

/**
 * Rings up `sales` sales and rolls each back (see above), or as many as `budgetMs` of wall time allows
 * (one at least). Stops at the first sale that cannot complete
 * (an empty catalog, a full disk) and says why; an unexpected error is the caller's to log.
 */
export function warmUpSales(
  db: Db,
  run: WarmUpRun,
  sales: number,
  now: () => number,
  budgetMs = WARMUP_BUDGET_MS,
): WarmUpReport {
  const started = performance.now();
  if (sales <= 0 || db.inTransaction) return { sales: 0, ms: 0 };
  const barcodes = candidateBarcodes(db);
  let completed = 0;
  for (let n = 0; n < sales; n += 1) {
    const outcome = warmUpSale(db, run, barcodes, n, Math.floor(now()));
    if (!outcome.completed) {
      return { sales: completed, ms: performance.now() - started, stoppedBy: outcome.code };
    }
    completed += 1;
    if (performance.now() - started > budgetMs) break;
  }
  return { sales: completed, ms: performance.now() - started };
}
