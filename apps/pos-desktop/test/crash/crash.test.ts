import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { integrityCheck, openDatabase, type Db } from '../../src/engine/database';
import { readOutbox } from '../../src/engine/outbox';
import { createTestNode, type TestNode } from '../../src/engine/testing/test-node';
import { APP_DIR } from '../cli-process';

const WORK_DIR = join(APP_DIR, 'node_modules', '.cache', 'pos-store-crash-test');
const WORKER = join(WORK_DIR, 'crash-worker.js');
const MIGRATIONS = join(WORK_DIR, 'migrations');
const KILLS = 50;

interface Ack {
  kind: 'shift-open' | 'cash' | 'stock';
  command?: string;
  id: string;
  lines?: number;
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
    // A third of the kills land while the worker starts up (opening, recovering the WAL, signing in), the rest while
    // it is committing commands back to back.
    const duringStartup = seed % 3 === 0;
    const delay = duringStartup ? 5 + ((seed * 7919) % 250) : (seed * 104_729) % 80;
    let timer: NodeJS.Timeout | undefined = duringStartup ? setTimeout(kill, delay) : undefined;
    const safety = setTimeout(kill, 10_000);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (!duringStartup && timer === undefined && stdout.includes('READY\n'))
        timer = setTimeout(kill, delay);
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
  for (const row of stockRows) expect(bySeq.get(row.seq)?.type).toMatch(/^stock\./);
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
    if (event.type.startsWith('stock.')) {
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
  const shiftCount = (db.prepare('SELECT COUNT(*) AS count FROM shifts').get() as { count: number }).count;
  expect(events.filter((event) => event.type === 'shift.opened')).toHaveLength(shiftCount);

  // Every acknowledged command is there with everything it wrote.
  for (const acked of acks) {
    if (acked.kind === 'shift-open') {
      const opened = events.filter((event) => event.type === 'shift.opened');
      expect(opened.some((event) => (event.payload as { shiftId: string }).shiftId === acked.id)).toBe(true);
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
  it(`keeps every acknowledged command whole, and nothing partial, across ${KILLS} SIGKILLs`, async () => {
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
    expect(killsWithWork).toBeGreaterThan(KILLS / 4);
    expect(acknowledged.length).toBeGreaterThan(KILLS);
  }, 120_000);
});
