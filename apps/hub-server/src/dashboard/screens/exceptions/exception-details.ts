import { t } from '../../i18n/translate';

/**
 * An exception's `details` is whatever the code that raised it recorded (oversell, rejected event,
 * handover conflict, pricing audit, ...). This reads the parts every kind may carry (message, order,
 * device, the resolution steps) without trusting their shape, and keeps the rest for display as is.
 */
export interface ResolutionView {
  readonly message: string | null;
  readonly steps: readonly { readonly at: number | null; readonly message: string }[];
  readonly victims: readonly {
    readonly orderId: string;
    readonly orderNumber: string;
    readonly qty: number;
    readonly outcome: string;
    readonly toNodeId: string | null;
  }[];
  readonly refunds: readonly string[];
  /** Reservations the hub could not move, each with the reason. */
  readonly ignored: readonly string[];
}

/** Points or store credit the hub holds until HQ releases or drops them. */
export interface HeldView {
  readonly kind: 'points' | 'credits';
  readonly id: string;
}

export interface DetailsView {
  readonly message: string | null;
  readonly orderId: string | null;
  readonly orderNumber: string | null;
  readonly deviceId: string | null;
  readonly deviceSeq: number | null;
  readonly eventType: string | null;
  readonly receiptNumber: string | null;
  /** The promises an oversell broke: what HQ must re-route or cancel. */
  readonly affectedReservations: readonly {
    readonly reservationId: string;
    readonly qty: number;
    readonly orderRef: string;
  }[];
  readonly resolution: ResolutionView | null;
  readonly held: HeldView | null;
  /** Every other field, name and value written out, so nothing the hub recorded is hidden. */
  readonly other: readonly (readonly [string, string])[];
}

const READ_KEYS = new Set([
  'message',
  'orderId',
  'orderNumber',
  'deviceId',
  'deviceSeq',
  'eventType',
  'receiptNumber',
  'affectedReservations',
  'resolution',
  'heldPointsId',
  'heldCreditId',
]);

type Bag = Readonly<Record<string, unknown>>;

function isBag(value: unknown): value is Bag {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

function integer(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) ? value : null;
}

function written(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function readResolution(value: unknown): ResolutionView | null {
  if (!isBag(value)) return null;
  const list = (name: string): readonly unknown[] => {
    const items = value[name];
    return Array.isArray(items) ? items : [];
  };
  const steps = list('steps').flatMap((step) => {
    if (!isBag(step)) return [];
    const message = text(step.message);
    return message === null ? [] : [{ at: integer(step.at), message }];
  });
  const victims = list('victims').flatMap((victim) => {
    if (!isBag(victim)) return [];
    const orderId = text(victim.orderId);
    if (orderId === null) return [];
    return [
      {
        orderId,
        orderNumber: text(victim.orderNumber) ?? orderId,
        qty: integer(victim.qty) ?? 0,
        outcome: text(victim.outcome) ?? 'unknown',
        toNodeId: text(victim.toNodeId),
      },
    ];
  });
  const refunds = list('refunds').flatMap((refund) => {
    const message = isBag(refund) ? text(refund.message) : null;
    return message === null ? [] : [message];
  });
  const ignored = list('ignored').flatMap((item) => {
    const reason = isBag(item) ? text(item.reason) : null;
    return reason === null ? [] : [reason];
  });
  // The oversell pass records only a flag when stock arrived before any order had to move.
  const message =
    text(value.message) ?? (value.noLongerShort === true ? t('exceptions.noLongerShort') : null);
  if ([steps, victims, refunds, ignored].every((items) => items.length === 0) && message === null)
    return null;
  return { message, steps, victims, refunds, ignored };
}

export function describeDetails(details: Bag): DetailsView {
  return {
    message: text(details.message) ?? text(details.reason),
    orderId: text(details.orderId),
    orderNumber: text(details.orderNumber),
    deviceId: text(details.deviceId),
    deviceSeq: integer(details.deviceSeq),
    eventType: text(details.eventType),
    receiptNumber: text(details.receiptNumber),
    affectedReservations: (Array.isArray(details.affectedReservations)
      ? details.affectedReservations
      : []
    ).flatMap((item: unknown) => {
      if (!isBag(item)) return [];
      const reservationId = text(item.reservationId);
      return reservationId === null
        ? []
        : [{ reservationId, qty: integer(item.qty) ?? 0, orderRef: text(item.orderRef) ?? '' }];
    }),
    resolution: readResolution(details.resolution),
    held:
      text(details.heldPointsId) !== null
        ? { kind: 'points', id: text(details.heldPointsId)! }
        : text(details.heldCreditId) !== null
          ? { kind: 'credits', id: text(details.heldCreditId)! }
          : null,
    other: Object.entries(details)
      .filter(([name, value]) => !READ_KEYS.has(name) && value !== undefined && value !== null)
      .map(([name, value]) => [name, written(value)] as const),
  };
}
