/**
 * The chain simulator's verdict (`npm run simulate`): what every till committed against what the hub
 * recorded. Pure, so the comparison itself is unit tested (totals.test.ts): a sale the hub lost, one it
 * counted twice, one it never got from any till, an amount that changed on the way, a stock ledger sum
 * that differs from the movements the tills and HQ wrote.
 */

/** One sale (or return) as a till committed it, or as the hub recorded it: amounts in minor units. */
export interface AmountRecord {
  readonly id: string;
  readonly deviceId: string;
  readonly amount: number;
}

/** Σ delta of the ledger for one (node, SKU, bucket). */
export interface StockSum {
  readonly nodeId: string;
  readonly sku: string;
  readonly bucket: string;
  readonly qty: number;
}

export type TotalsIssue =
  | {
      readonly kind: 'missing-at-hub';
      readonly record: string;
      readonly id: string;
      readonly deviceId: string;
    }
  | {
      readonly kind: 'duplicated-at-hub';
      readonly record: string;
      readonly id: string;
      readonly deviceId: string;
      readonly times: number;
    }
  | {
      readonly kind: 'unknown-at-hub';
      readonly record: string;
      readonly id: string;
      readonly deviceId: string;
    }
  | {
      readonly kind: 'amount-differs';
      readonly record: string;
      readonly id: string;
      readonly till: number;
      readonly hub: number;
    }
  | {
      readonly kind: 'device-totals-differ';
      readonly record: string;
      readonly deviceId: string;
      readonly till: { readonly count: number; readonly amount: number };
      readonly hub: { readonly count: number; readonly amount: number };
    }
  | {
      readonly kind: 'stock-differs';
      readonly nodeId: string;
      readonly sku: string;
      readonly bucket: string;
      readonly expected: number;
      readonly hub: number;
    };

export interface DeviceTotals {
  readonly count: number;
  readonly amount: number;
}

/** Count and Σ amount per device. */
export function totalsByDevice(records: readonly AmountRecord[]): Map<string, DeviceTotals> {
  const totals = new Map<string, DeviceTotals>();
  for (const record of records) {
    const current = totals.get(record.deviceId) ?? { count: 0, amount: 0 };
    totals.set(record.deviceId, { count: current.count + 1, amount: current.amount + record.amount });
  }
  return totals;
}

/**
 * Every till record at the hub exactly once with the same amount, nothing at the hub that no till wrote,
 * and each device's count and Σ amount equal on both sides. `record` names what is compared ("sale").
 */
export function compareRecords(
  record: string,
  till: readonly AmountRecord[],
  hub: readonly AmountRecord[],
): TotalsIssue[] {
  const issues: TotalsIssue[] = [];
  const atHub = new Map<string, AmountRecord[]>();
  for (const row of hub) atHub.set(row.id, [...(atHub.get(row.id) ?? []), row]);
  const fromTills = new Set<string>();
  for (const sale of till) {
    fromTills.add(sale.id);
    const rows = atHub.get(sale.id) ?? [];
    if (rows.length === 0) {
      issues.push({ kind: 'missing-at-hub', record, id: sale.id, deviceId: sale.deviceId });
      continue;
    }
    if (rows.length > 1) {
      issues.push({
        kind: 'duplicated-at-hub',
        record,
        id: sale.id,
        deviceId: sale.deviceId,
        times: rows.length,
      });
    }
    for (const row of rows) {
      if (row.amount !== sale.amount || row.deviceId !== sale.deviceId) {
        issues.push({ kind: 'amount-differs', record, id: sale.id, till: sale.amount, hub: row.amount });
      }
    }
  }
  for (const row of hub) {
    if (!fromTills.has(row.id))
      issues.push({ kind: 'unknown-at-hub', record, id: row.id, deviceId: row.deviceId });
  }
  const tillTotals = totalsByDevice(till);
  const hubTotals = totalsByDevice(hub);
  for (const deviceId of new Set([...tillTotals.keys(), ...hubTotals.keys()])) {
    const mine = tillTotals.get(deviceId) ?? { count: 0, amount: 0 };
    const theirs = hubTotals.get(deviceId) ?? { count: 0, amount: 0 };
    if (mine.count !== theirs.count || mine.amount !== theirs.amount) {
      issues.push({ kind: 'device-totals-differ', record, deviceId, till: mine, hub: theirs });
    }
  }
  return issues;
}

/**
 * The hub's ledger sums against the movements that should have produced them (the tills' events plus
 * what HQ booked itself), per (node, SKU, bucket); a key missing on one side counts as 0.
 */
export function compareStock(expected: readonly StockSum[], hub: readonly StockSum[]): TotalsIssue[] {
  const key = (sum: StockSum) => `${sum.nodeId}\u0000${sum.sku}\u0000${sum.bucket}`;
  const sums = new Map<
    string,
    { nodeId: string; sku: string; bucket: string; expected: number; hub: number }
  >();
  const add = (sum: StockSum, side: 'expected' | 'hub') => {
    const entry = sums.get(key(sum)) ?? {
      nodeId: sum.nodeId,
      sku: sum.sku,
      bucket: sum.bucket,
      expected: 0,
      hub: 0,
    };
    entry[side] += sum.qty;
    sums.set(key(sum), entry);
  };
  for (const sum of expected) add(sum, 'expected');
  for (const sum of hub) add(sum, 'hub');
  return [...sums.values()]
    .filter((entry) => entry.expected !== entry.hub)
    .map((entry) => ({ kind: 'stock-differs' as const, ...entry }));
}

/** Issues counted by kind, for the report's summary line. */
export function issuesByKind(issues: readonly TotalsIssue[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const issue of issues) counts[issue.kind] = (counts[issue.kind] ?? 0) + 1;
  return counts;
}
