import { checkManualDiscountLimit, money, toDecimal, type DiscountedCart } from '@retail/domain';
import { CONFIG_KEYS, STAFF_ROLES, type EventEnvelope, type EventPayloads } from '@retail/sync';
import type { HubTx } from '../hub-tx';
import {
  LOWEST_ROLE,
  STAFF_ROLE_RANK,
  believedRole,
  recordRoleDoubts,
  staffRecords,
  type BelievedRole,
  type StaffRole,
} from '../staff/store-created-staff';
import { effectiveSetting, settingsAtVersion } from './hq-settings';

/**
 * The store settings limits the hub can recompute from what a till sends (DESIGN §5 "Trust boundary"):
 * a claim past a limit HQ has in force for the store, without the manager override the till should have
 * asked for, raises a LIMIT_EXCEEDED exception for HQ to look at. The event itself is applied: the cash
 * left the drawer, and offline work is never refused after the fact. A limit HQ never set is the till's
 * own default, which the hub does not second-guess.
 */

const cashOutLimits = new WeakMap<HubTx, Map<string, Promise<number | undefined>>>();

function cashOutLimitOf(tx: HubTx, nodeId: string): Promise<number | undefined> {
  let limits = cashOutLimits.get(tx);
  if (limits === undefined) {
    limits = new Map();
    cashOutLimits.set(tx, limits);
  }
  let limit = limits.get(nodeId);
  if (limit === undefined) {
    limit = effectiveSetting(tx.trx, nodeId, CONFIG_KEYS.cashOutOverrideLimit).then((value) =>
      typeof value === 'number' ? value : undefined,
    );
    limits.set(nodeId, limit);
  }
  return limit;
}

async function currencyOf(tx: HubTx, nodeId: string): Promise<string> {
  const node = await tx.trx
    .selectFrom('nodes')
    .select('currency')
    .where('node_id', '=', nodeId)
    .executeTakeFirst();
  return node?.currency ?? 'USD';
}

/** A cash pay-out above the store's `pos.shift.cashOutOverrideLimit` must carry a manager override. */
export async function checkCashOut(
  tx: HubTx,
  nodeId: string,
  event: EventEnvelope,
  moved: EventPayloads['shift.cash_moved'],
): Promise<void> {
  if (moved.direction !== 'out' || moved.override !== undefined) return;
  const limit = await cashOutLimitOf(tx, nodeId);
  if (limit === undefined || moved.amount <= limit) return;
  const currency = await currencyOf(tx, nodeId);
  const shown = (amount: number) => `${toDecimal(money(amount, currency))} ${currency}`;
  tx.raise({
    type: 'LIMIT_EXCEEDED',
    severity: 'warning',
    nodeId,
    causeEventIds: [event.eventId],
    details: {
      setting: CONFIG_KEYS.cashOutOverrideLimit,
      limit,
      amount: moved.amount,
      staffId: moved.staffId,
      shiftId: moved.shiftId,
      movementId: moved.movementId,
      message:
        `A cash pay-out of ${shown(moved.amount)} ("${moved.reason}") was taken without a manager's ` +
        `approval, above the ${shown(limit)} HQ allows at this store. Ask the store who authorised it.`,
    },
  });
}

type Sale = EventPayloads['sale.completed'];

const DISCOUNT_LIMIT_KEYS: Readonly<Record<StaffRole, string>> = {
  cashier: CONFIG_KEYS.discountMaxPercentCashier,
  supervisor: CONFIG_KEYS.discountMaxPercentSupervisor,
  manager: CONFIG_KEYS.discountMaxPercentManager,
};

/** The approval a till records when someone approved a sale's discounts past their giver's limit. */
const DISCOUNT_APPROVAL = 'discount-over-limit';

/**
 * Who is what, for a sale's discounts, by the hub's own records only (staff/store-created-staff.ts): HQ's
 * staff at this store, or staff the store created whose creation the hub verified. Anyone else (no record
 * yet, a creation not believed, another store's) counts as a cashier, whatever role the till claimed.
 */
async function rolesOf(
  tx: HubTx,
  nodeId: string,
  staffIds: readonly string[],
): Promise<Map<string, BelievedRole>> {
  const records = await staffRecords(tx, staffIds);
  return new Map(staffIds.map((staffId) => [staffId, believedRole(records.get(staffId), nodeId)]));
}

/**
 * The settings a push's discounted sales ask for, read once per push (per transaction) instead of once
 * per sale and role: a push of 500 discounted sales made 10 statements a sale. They cannot change inside
 * an ingest transaction, which writes no settings.
 */
interface DiscountReads {
  /** By `${nodeId}\u0000${settingsVersion}`: each role's limit in percent. */
  readonly limits: Map<string, Promise<ReadonlyMap<StaffRole, number>>>;
}

const discountReads = new WeakMap<HubTx, DiscountReads>();

function readsOf(tx: HubTx): DiscountReads {
  let reads = discountReads.get(tx);
  if (reads === undefined) {
    reads = { limits: new Map() };
    discountReads.set(tx, reads);
  }
  return reads;
}

function discountLimits(
  tx: HubTx,
  nodeId: string,
  version: number | undefined,
): Promise<ReadonlyMap<StaffRole, number>> {
  const { limits } = readsOf(tx);
  const key = `${nodeId}\u0000${version ?? ''}`;
  let found = limits.get(key);
  if (found === undefined) {
    found = settingsAtVersion(
      tx.trx,
      nodeId,
      STAFF_ROLES.map((role) => DISCOUNT_LIMIT_KEYS[role]),
      version,
    ).then((values) => {
      const percents = new Map<StaffRole, number>();
      for (const role of STAFF_ROLES) {
        const value = values.get(DISCOUNT_LIMIT_KEYS[role]);
        percents.set(role, typeof value === 'number' ? value : 100);
      }
      return percents;
    });
    limits.set(key, found);
  }
  return found;
}

/**
 * A sale's manual discounts must stay within the limit of the role of whoever gave them, or of whoever
 * approved them (`discount-over-limit` override), as the settings version the till ran had them (the same
 * check the till made, `checkManualDiscountLimit`), with the roles the hub's own records give (`rolesOf`:
 * a role the till claims for someone the hub cannot vouch for counts as a cashier). Past it, the sale is
 * still recorded as sent (it happened, maybe offline) and raises LIMIT_EXCEEDED with the discount, the
 * limit, the giver, the approver, the settings version and the claims not believed; or STAFF_ROLE_UNVERIFIED
 * when the roles the till claimed for staff the hub has no verified record of yet would have allowed it,
 * closed by itself when their creation arrives and holds. A limit HQ never set counts as 100 %.
 */
export async function checkSaleDiscounts(
  tx: HubTx,
  nodeId: string,
  event: EventEnvelope,
  sale: Sale,
): Promise<void> {
  const manual = sale.lines.flatMap((line) =>
    line.adjustments.filter((adjustment) => adjustment.kind !== 'promotion' && adjustment.amount !== 0),
  );
  if (manual.length === 0) return;
  const approvers = sale.overrides
    .filter((override) => override.action === DISCOUNT_APPROVAL)
    .map((override) => override.managerId);
  const giverOf = (adjustment: { givenBy?: string | undefined }) => adjustment.givenBy ?? sale.staffId;
  const believed = await rolesOf(tx, nodeId, [sale.staffId, ...manual.map(giverOf), ...approvers]);
  const percents = await discountLimits(tx, nodeId, sale.settingsVersion);
  const hubRole = (staffId: string): StaffRole => believed.get(staffId)?.role ?? LOWEST_ROLE;

  const currency = sale.currency;
  const lineGivers = new Map<string, string>();
  let orderGiver = sale.staffId;
  for (const line of sale.lines) {
    for (const adjustment of line.adjustments) {
      if (adjustment.kind === 'manual_line') lineGivers.set(line.lineId, giverOf(adjustment));
      if (adjustment.kind === 'manual_order') orderGiver = giverOf(adjustment);
    }
  }
  const cart: DiscountedCart = {
    currency,
    lines: sale.lines.map((line) => ({
      lineId: line.lineId,
      sku: line.sku,
      name: line.name,
      extended: money(line.extended, currency),
      adjustments: line.adjustments.map((adjustment) => ({
        kind: adjustment.kind,
        amount: money(adjustment.amount, currency),
      })),
    })),
    totals: {
      subtotal: money(
        sale.lines.reduce((total, line) => total + line.extended, 0),
        currency,
      ),
    },
  };
  const judge = (roleOf: (staffId: string) => StaffRole) => {
    const percentOf = (staffId: string): number => percents.get(roleOf(staffId)) ?? 100;
    const approved = Math.max(0, ...approvers.map(percentOf));
    const limitOf = (staffId: string) => Math.max(percentOf(staffId), approved);
    return checkManualDiscountLimit(cart, {
      linePercent: (lineId) => limitOf(lineGivers.get(lineId) ?? sale.staffId),
      orderPercent: limitOf(orderGiver),
    });
  };
  const check = judge(hubRole);
  if (check.within) return;

  // The roles the till claimed above what the hub believes; those it cannot judge yet may still verify.
  const unbelieved: { staffId: string; claimedRole: StaffRole; role: StaffRole; standing: string }[] = [];
  const pending = new Map<string, StaffRole>();
  for (const [staffId, claimed] of Object.entries(sale.staffRoles ?? {})) {
    const held = believed.get(staffId);
    if (held === undefined || STAFF_ROLE_RANK[claimed] <= STAFF_ROLE_RANK[held.role]) continue;
    unbelieved.push({ staffId, claimedRole: claimed, role: held.role, standing: held.standing });
    if (held.standing === 'unknown' || held.standing === 'unverified') pending.set(staffId, claimed);
  }
  const giver = check.scope === 'line' ? (lineGivers.get(check.lineId ?? '') ?? sale.staffId) : orderGiver;
  const shown = (amount: number) => `${toDecimal(money(amount, currency))} ${currency}`;
  const where =
    check.scope === 'line'
      ? `on ${check.name ?? check.sku ?? 'a line'}`
      : 'on the sale (line and order discounts together)';
  const whose =
    approvers.length > 0
      ? `even with the approval of ${approvers.join(', ')}`
      : `without a supervisor's or manager's approval`;
  const version =
    sale.settingsVersion === undefined
      ? 'the settings in force when it arrived (the till did not say which version it ran)'
      : `settings version ${sale.settingsVersion}, which the till ran`;
  const facts = {
    setting: DISCOUNT_LIMIT_KEYS[hubRole(giver)],
    saleId: sale.saleId,
    receiptNumber: sale.receiptNumber,
    scope: check.scope,
    ...(check.lineId === undefined ? {} : { lineId: check.lineId, sku: check.sku }),
    limitPercent: check.limitPercent,
    discount: check.given.amount,
    allowed: check.allowed.amount,
    staffId: giver,
    role: hubRole(giver),
    approvers,
    settingsVersion: sale.settingsVersion ?? null,
    unbelievedClaims: unbelieved,
  };
  const resolution = {
    message:
      'The sale was recorded as the till sent it (offline sales are never refused): its stock, ' +
      'payments and loyalty were applied, and nothing was changed.',
  };
  if (pending.size > 0 && judge((staffId) => pending.get(staffId) ?? hubRole(staffId)).within) {
    const claims = [...pending].map(([staffId, role]) => `${staffId} as a ${role}`).join(', ');
    const exceptionId = tx.hub.newId();
    tx.raise({
      type: 'STAFF_ROLE_UNVERIFIED',
      severity: 'warning',
      nodeId,
      causeEventIds: [event.eventId],
      exceptionId,
      details: {
        ...facts,
        unverified: Object.fromEntries(pending),
        message:
          `Receipt ${sale.receiptNumber}: a discount of ${shown(check.given.amount)} ${where} relies on roles ` +
          `the till claimed for staff the hub cannot vouch for yet (${claims}): it has no verified record ` +
          `of their creation, which may still be on its way from another till. Checked as a cashier, the ` +
          `discount is above the ${shown(check.allowed.amount)} (${check.limitPercent} %) allowed by ${version}. ` +
          `This closes by itself if their creation arrives and shows those roles.`,
        resolution,
      },
    });
    await recordRoleDoubts(tx, exceptionId, nodeId, pending);
    return;
  }
  tx.raise({
    type: 'LIMIT_EXCEEDED',
    severity: 'warning',
    nodeId,
    causeEventIds: [event.eventId],
    details: {
      ...facts,
      message:
        `Receipt ${sale.receiptNumber}: a discount of ${shown(check.given.amount)} ${where} was given ` +
        `by ${giver} (${hubRole(giver)}) ${whose}, above the ${shown(check.allowed.amount)} ` +
        `(${check.limitPercent} %) allowed by ${version}. Ask the store who authorised it.`,
      resolution,
    },
  });
}
