import { writeSync } from 'node:fs';
import { openStoreEngine } from '../../src/engine/engine';
import { loadMigrations } from '../../src/engine/migrations';
import { TEST_PIN_COST } from '../../src/engine/testing/test-node';

/**
 * The child process of the crash test. It runs store commands in a loop against the data folder and
 * prints one line per command the engine acknowledged, only after the command returned (so after its
 * transaction committed). The parent SIGKILLs it at random moments and checks that every printed ack
 * survived with all its rows and events. Usage: crash-worker DATABASE MIGRATIONS_DIR SEED
 */
const [databasePath, migrationsDir, seedText] = process.argv.slice(2);
if (!databasePath || !migrationsDir) throw new Error('usage: crash-worker DATABASE MIGRATIONS_DIR SEED');

let state = Number(seedText ?? '1') >>> 0 || 1;
function random(max: number): number {
  state ^= state << 13;
  state >>>= 0;
  state ^= state >>> 17;
  state ^= state << 5;
  state >>>= 0;
  return state % max;
}

function ack(record: Record<string, unknown>): void {
  // Synchronous write: the line is out before the next command starts.
  writeSync(1, `ACK ${JSON.stringify(record)}\n`);
}

const engine = openStoreEngine({
  databasePath,
  pinCost: TEST_PIN_COST,
  migrations: loadMigrations(migrationsDir),
});
const signIn = engine.execute('staff-sign-in', { staffCode: 'S1', pin: '2222' });
if (!signIn.ok) throw new Error(signIn.error.message);
const options = { session: signIn.value.session };

const current = engine.execute('shift-current', { registerId: 'crash' }, options);
if (!current.ok) throw new Error(current.error.message);
if (current.value.shift === null) {
  const opened = engine.execute('shift-open', { registerId: 'crash', float: 100_000_000 }, options);
  if (!opened.ok) throw new Error(opened.error.message);
  ack({ kind: 'shift-open', id: opened.value.shiftId });
}
writeSync(1, 'READY\n');

const SKUS = ['APPLE-1', 'MILK-1', 'CHEESE-KG'];
for (;;) {
  const choice = random(4);
  if (choice === 0 || choice === 1) {
    const name = choice === 0 ? 'shift-cash-in' : 'shift-cash-out';
    const result = engine.execute(
      name,
      { registerId: 'crash', amount: 1 + random(9_999), reason: 'crash test' },
      options,
    );
    if (result.ok)
      ack({ kind: 'cash', command: name, id: result.value.movementId, amount: result.value.amount });
    else throw new Error(result.error.message);
  } else if (choice === 2) {
    const lines = Array.from({ length: 1 + random(3) }, () => ({
      sku: SKUS[random(SKUS.length)] as string,
      bucket: 'sellable' as const,
      delta: random(9) - 3 || 1,
    }));
    const result = engine.execute('stock-adjust', { reason: 'crash test', lines }, options);
    if (result.ok)
      ack({ kind: 'stock', command: 'stock-adjust', id: result.value.adjustmentId, lines: lines.length });
    else if (result.error.code !== 'INSUFFICIENT_STOCK') throw new Error(result.error.message);
  } else {
    const lines = [{ sku: SKUS[random(SKUS.length)] as string, qty: 1 + random(20) }];
    const result = engine.execute(
      'stock-receive',
      { source: { type: 'supplier', reference: `DN-${random(1000)}` }, lines },
      options,
    );
    if (result.ok)
      ack({ kind: 'stock', command: 'stock-receive', id: result.value.receiptId, lines: lines.length });
    else throw new Error(result.error.message);
  }
}
