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
// The manager: stock adjustments need a supervisor, and clearing a sale a kill left half rung up needs
// a void, which a manager authorizes on their own.
const signIn = engine.execute('staff-sign-in', { staffCode: 'M1', pin: '1234' });
if (!signIn.ok) throw new Error(signIn.error.message);
const options = { session: signIn.value.session };

const current = engine.execute('shift-current', { registerId: 'crash' }, options);
if (!current.ok) throw new Error(current.error.message);
if (current.value.shift === null) {
  const opened = engine.execute('shift-open', { registerId: 'crash', float: 100_000_000 }, options);
  if (!opened.ok) throw new Error(opened.error.message);
  ack({ kind: 'shift-open', id: opened.value.shiftId });
}
const leftOver = engine.execute('sale-current', { registerId: 'crash' }, options);
if (!leftOver.ok) throw new Error(leftOver.error.message);
if (leftOver.value.sale !== null) {
  const voided = engine.execute(
    'sale-void',
    { saleId: leftOver.value.sale.saleId, reason: 'crash recovery' },
    options,
  );
  if (!voided.ok) throw new Error(voided.error.message);
}
writeSync(1, 'READY\n');

function sell(): void {
  const started = engine.execute('sale-start', { registerId: 'crash' }, options);
  if (!started.ok) throw new Error(started.error.message);
  const saleId = started.value.saleId;
  const count = 1 + random(3);
  for (let line = 0; line < count; line += 1) {
    const sku = SKUS[random(2)] as string;
    const added = engine.execute('sale-add-line', { saleId, sku, qty: 1 + random(3) }, options);
    if (!added.ok) throw new Error(added.error.message);
  }
  const current = engine.execute('sale-get', { saleId }, options);
  if (!current.ok) throw new Error(current.error.message);
  const total = current.value.totals.total;
  if (random(2) === 0) {
    const card = engine.execute(
      'sale-add-tender',
      { saleId, tender: { type: 'card', amount: Math.max(1, Math.floor(total / 2)), reference: 'AUTH' } },
      options,
    );
    if (!card.ok) throw new Error(card.error.message);
  }
  const cash = engine.execute(
    'sale-add-tender',
    { saleId, tender: { type: 'cash', amount: total + random(500) } },
    options,
  );
  if (!cash.ok) throw new Error(cash.error.message);
  const done = engine.execute('sale-complete', { saleId }, options);
  if (!done.ok) throw new Error(done.error.message);
  ack({ kind: 'sale', id: saleId, receiptNumber: done.value.receiptNumber, lines: done.value.lines.length });
}

const SKUS = ['APPLE-1', 'MILK-1', 'CHEESE-KG'];
for (;;) {
  const choice = random(5);
  if (choice === 4) {
    sell();
  } else if (choice === 0 || choice === 1) {
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
