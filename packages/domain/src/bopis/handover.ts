import { assertNever, fail, type ErrorCode, type Result } from '../errors';
import { formatInstant } from '../time';
import type { BopisOrderState, CancelReason } from './lifecycle';
import { verifyPickup, type PickupAttempt, type PickupVerification } from './pickup-code';
import { describeBopisStatus } from './status';

export type HandoverCheck =
  { readonly allowed: true } | { readonly allowed: false; readonly code: ErrorCode; readonly reason: string };

function describeCancelReason(reason: CancelReason | undefined): string {
  switch (reason) {
    case undefined:
      return 'by the hub';
    case 'customer_request':
      return "at the customer's request";
    case 'hq_request':
      return 'by head office';
    case 'unroutable':
      return 'because no store could fulfil it';
    case 'short_unresolved':
      return 'because the items could not be found';
    case 'oversell_short':
      return 'because the stock had already been sold';
    case 'payment_failed':
      return 'because the payment failed';
    default:
      return assertNever(reason, 'cancel reason');
  }
}

function at(instant: number | undefined): string {
  return instant === undefined ? '' : ` at ${formatInstant(instant)}`;
}

/**
 * Whether the till may hand this order over, judged on the store's copy of the order. A cancel or expiry
 * that reached the store before the customer did makes the till refuse, with what to tell the customer
 * and what to do with the items. (One recorded offline before the cancel arrived wins at the hub instead.)
 */
export function canHandOver(state: BopisOrderState, atNodeId?: string): HandoverCheck {
  const number = state.order.orderNumber;
  switch (state.status) {
    case 'READY_FOR_PICKUP':
      if (atNodeId !== undefined && state.nodeId !== atNodeId) {
        return {
          allowed: false,
          code: 'NOT_ALLOWED',
          reason: `Order ${number} is waiting for pickup at store ${state.nodeId ?? 'unknown'}, not here. Send the customer there.`,
        };
      }
      return { allowed: true };
    case 'CANCELLED':
      return {
        allowed: false,
        code: 'NOT_ALLOWED',
        reason: `Do not hand over order ${number}: it was cancelled ${describeCancelReason(state.cancelReason)}${at(state.closedAt)}. Put its items back on the shelf.`,
      };
    case 'EXPIRED':
      return {
        allowed: false,
        code: 'NOT_ALLOWED',
        reason: `Do not hand over order ${number}: it expired${at(state.closedAt)} because it was not collected by ${formatInstant(state.pickupDeadline ?? state.closedAt ?? 0)}. Put its items back on the shelf; the customer can order again.`,
      };
    case 'PICKED_UP':
      return {
        allowed: false,
        code: 'CONFLICT',
        reason: `Order ${number} was already handed over${at(state.closedAt)}.`,
      };
    case 'PACKED':
    case 'SHIPPED':
      return {
        allowed: false,
        code: 'NOT_ALLOWED',
        reason: `Order ${number} is a ship-to-home order (${describeBopisStatus(state.status)}); it is not handed over at the counter.`,
      };
    case 'PLACED':
    case 'ROUTED':
    case 'ACCEPTED':
    case 'PICKING':
    case 'SHORT_PICK':
    case 'REROUTING':
      return {
        allowed: false,
        code: 'NOT_ALLOWED',
        reason: `Order ${number} is not ready for pickup yet: it is ${describeBopisStatus(state.status)}.`,
      };
    default:
      return assertNever(state.status, 'BOPIS status');
  }
}

/** Everything the till checks before a handover: the order may be handed over here, to this customer. */
export function checkHandover(
  state: BopisOrderState,
  attempt: PickupAttempt,
  atNodeId: string,
): Result<{ verifiedBy: PickupVerification }> {
  const check = canHandOver(state, atNodeId);
  if (!check.allowed)
    return fail(
      check.code,
      'bopis.cannotHandOver',
      { reason: check.reason },
      { orderId: state.order.orderId, status: state.status },
    );
  return verifyPickup(state.order, state.pickupCode, attempt);
}
