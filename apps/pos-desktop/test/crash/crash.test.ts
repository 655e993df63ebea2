import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { integrityCheck, openDatabase, type Db } from '../../src/engine/database';
import { readOutbox } from '../../src/engine/outbox/outbox';
import { createTestNode, type TestNode } from '../../src/engine/testing/test-node';
import { APP_DIR } from '../cli-process';

const WORK_DIR = join(APP_DIR, 'node_modules', '.cache', 'pos-store-crash-test');
const WORKER = join(WORK_DIR, 'crash-worker.js');
const MIGRATIONS = join(WORK_DIR, 'migrations');
const KILLS = 50;

interface Ack {
  kind: 'shift-open' | 'cash' | 'stock' | 'sale';
  command?: string;
  id: string;
  lines?: number;
  receiptNumber?: string;
}

let node: TestNode;

beforeAll(async () => {
  // The worker is bundled so each of the 50+ restarts costs a plain node start, not a TypeScript compile.
  rmSync(WORK_DIR, { recursive: true, force: true });
  mkdirSync(WORK_DIR, { recursive: true });
  await build({
    entryPoints: [join(APP_DIR, 'test', 'crash', 'crash-worker.ts')],
    outfile: WORKER,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    external: ['better-sqlite3', 'bufferutil', 'utf-8-validate'],
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
    logLevel: 'warning',
  });
  cpSync(join(APP_DIR, 'src', 'engine', 'migrations'), MIGRATIONS, {
    recursive: true,
    filter: (f) => !f.endsWith('.ts'),
  });
  node = createTestNode({ stock: { 'APPLE-1': 1_000, 'MILK-1': 1_000 } });
  node.engine.close();
});

afterAll(() => {
  node?.close();
  rmSync(WORK_DIR, { recursive: true, force: true });
});

/** Runs the worker until a random moment, SIGKILLs it and returns the acks it printed in full. */
function runAndKill(seed: number): Promise<Ack[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WORKER, node.databasePath, MIGRATIONS, String(seed)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let killed = false;
    const kill = () => {
      if (killed) return;
      killed = true;
      child.kill('SIGKILL');
    };
    // A third of the kills land while the worker starts up (opening, recovering the WAL, signing in,
    // voiding a sale the previous kill interrupted). The rest wait for a number of acknowledged commands
    // and then a few more milliseconds, so they hit the loop at a random point of a command whatever the
    // speed of the machine.
    const duringStartup = seed % 3 === 0;
    const acksBeforeKill = 1 + ((seed * 7) % 12);
    let timer: NodeJS.Timeout | undefined = duringStartup
      ? setTimeout(kill, 5 + ((seed * 7919) % 250))
      : undefined;
    const safety = setTimeout(kill, 10_000);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (duringStartup || timer !== undefined) return;
      const ready = stdout.indexOf('READY\n');
      if (ready < 0) return;
      const acked = stdout.slice(ready).split('\nACK ').length - 1;
      if (acked >= acksBeforeKill) timer = setTimeout(kill, seed % 20);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      clearTimeout(safety);
      if (signal !== 'SIGKILL') {
        reject(new Error(`the crash worker stopped by itself (code ${code}): ${stderr}`));
        return;
      }
      const complete = stdout.slice(0, stdout.lastIndexOf('\n') + 1);
      const acks = complete
        .split('\n')
        .filter((line) => line.startsWith('ACK '))
        .map((line) => JSON.parse(line.slice(4)) as Ack);
      resolve(acks);
    });
  });
}

/** Every invariant that must hold after any crash. */
function verify(db: Db, acks: readonly Ack[]): void {
  expect(integrityCheck(db)).toBe('ok');
  expect(db.pragma('foreign_key_check')).toEqual([]);

  const events = readOutbox(db, 0, 10_000_000);
  const lastSeq = (db.prepare('SELECT last_device_seq AS seq FROM device_state').get() as { seq: number })
    .seq;
  expect(events.map((event) => event.deviceSeq)).toEqual(
    Array.from({ length: lastSeq }, (_, index) => index + 1),
  );
  const bySeq = new Map(events.map((event) => [event.deviceSeq, event]));

  // Every row a command wrote has its event in the outbox, and every event has all its rows.
  const cashRows = db
    .prepare('SELECT movement_id AS id, device_seq AS seq, amount FROM cash_movements')
    .all() as {
    id: string;
    seq: number;
    amount: number;
  }[];
  for (const row of cashRows) {
    const event = bySeq.get(row.seq);
    expect(event?.type).toBe('shift.cash_moved');
    expect(event?.payload).toMatchObject({ movementId: row.id, amount: row.amount });
  }
  const stockRows = db
    .prepare('SELECT movement_id AS id, device_seq AS seq, sku, delta FROM stock_movements')
    .all() as {
    id: string;
    seq: number;
    sku: string;
    delta: number;
  }[];
  const stockRowIds = new Set(stockRows.map((row) => `${row.seq}/${row.id}/${row.sku}/${row.delta}`));
  for (const row of stockRows) expect(bySeq.get(row.seq)?.type).toMatch(/^(stock\.|sale\.completed$)/);
  const txsWithAudit = new Set(
    (db.prepare('SELECT DISTINCT tx_id AS txId FROM audit_log').all() as { txId: string }[]).map(
      (row) => row.txId,
    ),
  );
  for (const event of events) {
    expect(txsWithAudit.has(event.txId)).toBe(true);
    if (event.type === 'shift.cash_moved') {
      const movementId = (event.payload as { movementId: string }).movementId;
      expect(cashRows.some((row) => row.id === movementId && row.seq === event.deviceSeq)).toBe(true);
    }
    if (event.type.startsWith('stock.') || event.type === 'sale.completed') {
      for (const movement of (
        event.payload as { movements: { movementId: string; sku: string; delta: number }[] }
      ).movements) {
        expect(
          stockRowIds.has(`${event.deviceSeq}/${movement.movementId}/${movement.sku}/${movement.delta}`),
        ).toBe(true);
      }
    }
    if (event.type === 'shift.opened') {
      const shiftId = (event.payload as { shiftId: string }).shiftId;
      expect(db.prepare('SELECT 1 FROM shifts WHERE shift_id = ?').get(shiftId)).toBeDefined();
    }
  }
  // Completed sales: each has its event, all its lines, tenders and stock movements; receipts are gapless.
  const sales = db
    .prepare(
      `SELECT sale_id AS saleId, receipt_seq AS receiptSeq, receipt_number AS receiptNumber, device_seq AS seq,
         (SELECT COUNT(*) FROM sale_lines l WHERE l.sale_id = s.sale_id) AS lines,
         (SELECT COUNT(*) FROM sale_tenders t WHERE t.sale_id = s.sale_id) AS tenders,
         (SELECT COUNT(*) FROM stock_movements m WHERE m.source_doc = s.sale_id) AS movements
       FROM sales s WHERE status = 'completed' ORDER BY receipt_seq`,
    )
    .all() as {
    saleId: string;
    receiptSeq: number;
    receiptNumber: string;
    seq: number;
    lines: number;
    tenders: number;
    movements: number;
  }[];
  const lastReceipt = (
    db.prepare('SELECT last_receipt_seq AS seq FROM device_state').get() as { seq: number }
  ).seq;
  expect(sales.map((sale) => sale.receiptSeq)).toEqual(
    Array.from({ length: lastReceipt }, (_, index) => index + 1),
  );
  for (const sale of sales) {
    const event = bySeq.get(sale.seq);
    expect(event?.type).toBe('sale.completed');
    const payload = event?.payload as {
      saleId: string;
      receiptNumber: string;
      lines: unknown[];
      tenders: unknown[];
    };
    expect(payload).toMatchObject({ saleId: sale.saleId, receiptNumber: sale.receiptNumber });
    expect(sale.lines).toBe(payload.lines.length);
    expect(sale.tenders).toBe(payload.tenders.length);
    expect(sale.movements).toBe(payload.lines.length);
  }
  expect(events.filter((event) => event.type === 'sale.completed')).toHaveLength(sales.length);
  const halfDone = db
    .prepare(
      `SELECT COUNT(*) AS count FROM sales s WHERE status <> 'completed'
         AND (receipt_number IS NOT NULL OR EXISTS (SELECT 1 FROM sale_lines l WHERE l.sale_id = s.sale_id))`,
    )
    .get() as { count: number };
  expect(halfDone.count).toBe(0);

  const shiftCount = (db.prepare('SELECT COUNT(*) AS count FROM shifts').get() as { count: number }).count;
  expect(events.filter((event) => event.type === 'shift.opened')).toHaveLength(shiftCount);

  // Every acknowledged command is there with everything it wrote.
  for (const acked of acks) {
    if (acked.kind === 'shift-open') {
      const opened = events.filter((event) => event.type === 'shift.opened');
      expect(opened.some((event) => (event.payload as { shiftId: string }).shiftId === acked.id)).toBe(true);
    } else if (acked.kind === 'sale') {
      expect(sales.find((sale) => sale.saleId === acked.id)?.receiptNumber).toBe(acked.receiptNumber);
    } else if (acked.kind === 'cash') {
      expect(cashRows.some((row) => row.id === acked.id)).toBe(true);
    } else {
      const key = acked.command === 'stock-adjust' ? 'adjustmentId' : 'receiptId';
      const event = events.find(
        (candidate) => (candidate.payload as Record<string, unknown>)[key] === acked.id,
      );
      expect(event, `${acked.command} ${acked.id}`).toBeDefined();
      const rows = db
        .prepare('SELECT COUNT(*) AS count FROM stock_movements WHERE source_doc = ?')
        .get(acked.id) as {
        count: number;
      };
      expect(rows.count).toBe(acked.lines);
    }
  }
}

describe('crash safety', () => {
  it(`keeps every acknowledged sale and command whole, and nothing partial, across ${KILLS} SIGKILLs`, async () => {
    const acknowledged: Ack[] = [];
    let killsWithWork = 0;
    for (let kill = 1; kill <= KILLS; kill += 1) {
      const acks = await runAndKill(kill);
      if (acks.length > 0) killsWithWork += 1;
      acknowledged.push(...acks);
      const db = openDatabase(node.databasePath);
      try {
        verify(db, acknowledged);
      } finally {
        db.close();
      }
    }
    // The kills must actually interrupt work, not only idle processes.
    expect(killsWithWork).toBeGreaterThan(KILLS / 2);
    expect(acknowledged.length).toBeGreaterThan(KILLS);
    expect(acknowledged.filter((acked) => acked.kind === 'sale').length).toBeGreaterThan(5);
  }, 120_000);
});
