import {
  ERROR_CODES,
  MAX_AMOUNT,
  MAX_DENOMINATION_COUNT,
  MAX_DRAWER_AMOUNT,
  MAX_LINE_QTY,
  MAX_STOCK_QTY,
} from '@retail/domain';
import { checkPayload } from '@retail/sync';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { COMMAND_NAMES, STORE_COMMANDS, type CommandName } from '../../shared/commands';
import { readOutbox } from '../outbox/outbox';
import {
  TEST_SKUS,
  TEST_STAFF,
  createTestNode,
  databaseSnapshot,
  expectOk,
  type TestNode,
} from '../testing/test-node';

/**
 * Arbitrary input to every command of the store's command map, on a node that is selling: each answer is
 * either a valid result or a refusal with a code from the closed set (never INTERNAL, the sign of a crash
 * or a broken contract); a refusal writes nothing; and every event a command writes passes the hub's push
 * validator, so nothing the till accepts is refused by the hub.
 *
 * Inputs follow each request schema's shape (so they reach the handlers) with hostile values mixed in:
 * the bounds and one past them, unsafe integers, fractions, negative zero, wrong types, unknown ids,
 * extra keys. Ids are drawn from what the node holds right now (its sale, lines, tenders, receipts).
 */

const RUNS = process.env.CI ? 1_000 : 150;

/** Commands whose refusal is itself recorded (a wrong PIN counts towards a lockout and is audited). */
const RECORDS_REFUSALS: ReadonlySet<string> = new Set(['staff-sign-in', 'staff-override']);
const REFUSAL_TABLES: ReadonlySet<string> = new Set(['audit_log', 'pin_lockouts', 'staff']);

type Who = 'manager' | 'supervisor' | 'cashier' | 'none';

interface Pools {
  saleIds: string[];
  lineIds: string[];
  tenderIds: string[];
  receiptNumbers: string[];
}

const NUMBERS = [
  0,
  -0,
  1,
  2,
  3,
  10,
  45,
  100,
  -1,
  1.5,
  0.1,
  MAX_LINE_QTY,
  MAX_LINE_QTY + 1,
  MAX_STOCK_QTY,
  MAX_STOCK_QTY + 1,
  MAX_AMOUNT,
  MAX_AMOUNT + 1,
  MAX_DRAWER_AMOUNT,
  MAX_DRAWER_AMOUNT + 1,
  MAX_DENOMINATION_COUNT + 1,
  Number.MAX_SAFE_INTEGER,
  -Number.MAX_SAFE_INTEGER,
  2 ** 53,
  Number.POSITIVE_INFINITY,
  Number.NaN,
];

const HOSTILE_STRINGS = ['', ' ', 'x'.repeat(1_000), '\u0000', '../../etc/passwd', "'; DROP TABLE sales; --"];

function numberArb(): fc.Arbitrary<number> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: 0, max: 200 }) },
    { weight: 3, arbitrary: fc.constantFrom(...NUMBERS) },
    { weight: 1, arbitrary: fc.integer() },
    { weight: 1, arbitrary: fc.double() },
  );
}

function stringFor(key: string, pools: Pools): fc.Arbitrary<string> {
  const known = (values: readonly string[]) =>
    values.length === 0
      ? fc.string({ maxLength: 20 })
      : fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...values) }, fc.string({ maxLength: 20 }));
  const skus = Object.values(TEST_SKUS).map((item) => item.sku);
  const byKey: Record<string, fc.Arbitrary<string>> = {
    saleId: known(pools.saleIds),
    lineId: known(pools.lineIds),
    tenderId: known(pools.tenderIds),
    overrideId: fc.string({ maxLength: 40 }),
    receiptNumber: known(pools.receiptNumbers),
    sku: known([...skus, 'NOT-A-SKU']),
    code: known([...Object.values(TEST_SKUS).map((item) => item.barcode), '2100042003507', '0']),
    registerId: known(['main', 'main', 'lane-2']),
    // Codes the harness signs in with only ever get their right PIN (below), so nobody it needs is locked out.
    staffCode: known(['C2', 'NOBODY']),
    managerCode: known(['C2', 'NOBODY']),
    reason: known(['Damaged', 'Customer left']),
    bucket: known(['sellable', 'damaged', 'quality_control', 'staged']),
    toNodeId: known(['store-2', 'store-1', 'nowhere']),
  };
  return fc.oneof(
    { weight: 6, arbitrary: byKey[key] ?? fc.string({ maxLength: 30 }) },
    { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  );
}

type AnySchema = z.ZodType & { _zod: { def: Record<string, unknown> & { type: string } } };

/** Values shaped by a request schema, with wrong ones mixed in at every level. */
function arbitraryFor(schema: AnySchema, key: string, pools: Pools, depth = 0): fc.Arbitrary<unknown> {
  const def = schema._zod.def;
  const shaped = ((): fc.Arbitrary<unknown> => {
    switch (def.type) {
      case 'object': {
        const shape = def.shape as Record<string, AnySchema>;
        const record = fc.record(
          Object.fromEntries(
            Object.entries(shape).map(([name, field]) => [name, arbitraryFor(field, name, pools, depth + 1)]),
          ),
          { requiredKeys: [] },
        );
        return fc.oneof(
          { weight: 8, arbitrary: record },
          { weight: 1, arbitrary: record.map((value) => ({ ...value, unexpected: 1 })) },
        );
      }
      case 'optional':
      case 'nullable':
      case 'default':
      case 'prefault':
      case 'readonly':
      case 'catch':
        return fc.oneof(
          { weight: 5, arbitrary: arbitraryFor(def.innerType as AnySchema, key, pools, depth) },
          { weight: 1, arbitrary: fc.constantFrom(undefined, null) },
        );
      case 'pipe':
        return arbitraryFor(def.in as AnySchema, key, pools, depth);
      case 'union':
        return fc.oneof(
          ...(def.options as AnySchema[]).map((option) => arbitraryFor(option, key, pools, depth)),
        );
      case 'array':
        return fc.array(arbitraryFor(def.element as AnySchema, key, pools, depth + 1), { maxLength: 4 });
      case 'record':
        return fc.dictionary(
          fc.string({ maxLength: 8 }),
          arbitraryFor(def.valueType as AnySchema, key, pools, depth + 1),
          {
            maxKeys: 3,
          },
        );
      case 'enum':
        return fc.constantFrom(...Object.values(def.entries as Record<string, string>));
      case 'literal':
        return fc.constantFrom(...(def.values as unknown[]));
      case 'string':
        return stringFor(key, pools);
      case 'number':
        return numberArb();
      case 'boolean':
        return fc.boolean();
      default:
        return fc.anything({ maxDepth: 1 });
    }
  })();
  if (depth > 3) return shaped;
  return fc.oneof({ weight: 12, arbitrary: shaped }, { weight: 1, arbitrary: fc.anything({ maxDepth: 2 }) });
}

/** Sign-ins and overrides use real staff with their right PIN, or cashier C2 and strangers with any PIN. */
function credentialArb(name: CommandName): fc.Arbitrary<unknown> | undefined {
  const known = fc.constantFrom(
    { code: TEST_STAFF.manager.staffCode, pin: TEST_STAFF.manager.pin },
    { code: TEST_STAFF.supervisor.staffCode, pin: TEST_STAFF.supervisor.pin },
  );
  const stranger = fc.record({
    code: fc.constantFrom('C2', 'NOBODY', ''),
    pin: fc.oneof(
      fc.constantFrom(TEST_STAFF.cashier2.pin, '0000', '12', 'abcd'),
      fc.string({ maxLength: 14 }),
    ),
  });
  const who = fc.oneof(known, stranger);
  if (name === 'staff-sign-in') return who.map(({ code, pin }) => ({ staffCode: code, pin }));
  if (name === 'staff-override') {
    return fc
      .tuple(
        who,
        fc.constantFrom(
          'price-override',
          'sale-void',
          'discount-over-limit',
          'stock-count-write-off',
          'bogus',
        ),
        fc.constantFrom('Checked', '', 'x'.repeat(300)),
      )
      .map(([{ code, pin }, action, reason]) => ({ managerCode: code, managerPin: pin, action, reason }));
  }
  return undefined;
}

describe('store commands', () => {
  let node: TestNode;
  const sessions: Record<Exclude<Who, 'none'>, string> = { manager: '', supervisor: '', cashier: '' };

  /** Puts the node back in a selling state: everyone signed in, a shift open, a sale with items on main. */
  function prepare(): Pools {
    node.clock.advance(1_000);
    const staff = {
      manager: TEST_STAFF.manager,
      supervisor: TEST_STAFF.supervisor,
      cashier: TEST_STAFF.cashier,
    };
    for (const who of ['manager', 'supervisor', 'cashier'] as const) {
      if (!node.engine.execute('staff-session', {}, { session: sessions[who] }).ok) {
        sessions[who] = expectOk(
          node.engine.execute('staff-sign-in', { staffCode: staff[who].staffCode, pin: staff[who].pin }),
        ).session;
      }
    }
    const cashier = { session: sessions.cashier };
    if (expectOk(node.engine.execute('shift-current', {}, cashier)).shift === null) {
      expectOk(node.engine.execute('shift-open', { float: 50_000 }, cashier));
    }
    let sale = expectOk(node.engine.execute('sale-current', {}, cashier)).sale;
    if (sale === null) {
      sale = expectOk(node.engine.execute('sale-start', {}, cashier));
      expectOk(
        node.engine.execute('sale-add-line', { saleId: sale.saleId, sku: 'APPLE-1', qty: 3 }, cashier),
      );
      sale = expectOk(node.engine.execute('sale-add-line', { saleId: sale.saleId, sku: 'MILK-1' }, cashier));
    }
    const column = (query: string) =>
      (node.engine.db.prepare(query).all() as { value: string | null }[]).flatMap((row) =>
        row.value === null ? [] : [row.value],
      );
    return {
      saleIds: column('SELECT sale_id AS value FROM sales ORDER BY started_at DESC LIMIT 10'),
      lineIds: [
        ...sale.lines.map((line) => line.lineId),
        ...column('SELECT line_id AS value FROM sale_lines ORDER BY rowid DESC LIMIT 10'),
      ],
      tenderIds: sale.tenders.map((tender) => tender.tenderId),
      receiptNumbers: column(
        'SELECT receipt_number AS value FROM sales WHERE receipt_number IS NOT NULL ORDER BY rowid DESC LIMIT 10',
      ),
    };
  }

  beforeAll(() => {
    node = createTestNode({ stock: { 'APPLE-1': 1_000, 'MILK-1': 1_000 } });
    Object.assign(sessions, node.sessions);
    // One completed sale, so receipts, returns and post-voids have something to work on.
    const cashier = { session: sessions.cashier };
    expectOk(node.engine.execute('shift-open', { float: 50_000 }, cashier));
    const sale = expectOk(node.engine.execute('sale-start', {}, cashier));
    expectOk(node.engine.execute('sale-add-line', { saleId: sale.saleId, sku: 'APPLE-1', qty: 4 }, cashier));
    expectOk(
      node.engine.execute(
        'sale-add-tender',
        { saleId: sale.saleId, tender: { type: 'cash', amount: 500 } },
        cashier,
      ),
    );
    expectOk(node.engine.execute('sale-complete', { saleId: sale.saleId }, cashier));
  });

  afterAll(() => node?.close());

  it('answer arbitrary input with a valid result or a coded refusal that writes nothing', () => {
    const codes: ReadonlySet<string> = new Set(ERROR_CODES);
    const seen = { ok: 0, refused: new Map<string, number>() };
    fc.assert(
      fc.property(
        fc.constantFrom(...COMMAND_NAMES),
        fc.constantFrom<Who>('manager', 'manager', 'supervisor', 'cashier', 'cashier', 'none'),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (name, who, seed) => {
          const pools = prepare();
          const inputArb =
            credentialArb(name) ??
            arbitraryFor(STORE_COMMANDS[name].request as unknown as AnySchema, name, pools);
          const [input] = fc.sample(inputArb, { seed, numRuns: 1 });
          const before = databaseSnapshot(node.engine);
          const lastSeq = readOutbox(node.engine.db, 0, 1_000_000).at(-1)?.deviceSeq ?? 0;
          const result = node.engine.executeUnknown(
            name,
            input,
            who === 'none' ? {} : { session: sessions[who] },
          );
          if (!result.ok) {
            seen.refused.set(result.error.code, (seen.refused.get(result.error.code) ?? 0) + 1);
            expect(codes.has(result.error.code), `${name}: ${result.error.code}`).toBe(true);
            expect(result.error.code, `${name} ${JSON.stringify(input)}: ${result.error.message}`).not.toBe(
              'INTERNAL',
            );
            expect(result.error.message.length).toBeGreaterThan(0);
            const after = databaseSnapshot(node.engine);
            const changed = Object.keys(after).filter(
              (table) => JSON.stringify(after[table]) !== JSON.stringify(before[table]),
            );
            const allowed = RECORDS_REFUSALS.has(name) ? REFUSAL_TABLES : new Set<string>();
            expect(
              changed.filter((table) => !allowed.has(table)),
              `${name} refused (${result.error.code}) but wrote`,
            ).toEqual([]);
            return;
          }
          seen.ok += 1;
          for (const event of readOutbox(node.engine.db, lastSeq, 1_000_000)) {
            const checked = checkPayload(event.type, event.schemaVersion, event.payload);
            expect(checked.ok ? 'accepted' : checked.reason, `${name} wrote a ${event.type}`).toBe(
              'accepted',
            );
          }
        },
      ),
      { numRuns: RUNS },
    );
    // The inputs reach the handlers: some commands succeed and refusals are not all schema refusals.
    expect(seen.ok).toBeGreaterThan(RUNS / 10);
    expect([...seen.refused.keys()].filter((code) => code !== 'INVALID_INPUT').length).toBeGreaterThan(3);
    // A thousand commands with a database snapshot around each take about a minute on a busy CI box.
  }, 600_000);
});
