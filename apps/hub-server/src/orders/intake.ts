import { createHash } from 'node:crypto';
import { z } from 'zod';
import { sql, type SelectQueryBuilder } from 'kysely';
import {
  BopisOrderSchema,
  DomainError,
  FulfilmentSchema,
  PaymentAuthorisationSchema,
  PickupDeadlinePolicySchema,
  TERMINAL_BOPIS_STATUSES,
  generatePickupCode,
  orderHead,
  parseBopisOrder,
  placeParsedBopisOrder,
  type BopisOrder,
  type ParsedBopisOrder,
  type ChannelBuffer,
  type PickupCodeRandomBytes,
} from '@retail/domain';
import { pooledRandomBytes } from '@retail/sync/random-pool';
import { inHubTransaction, type HubTx } from '../hub-tx';
import type { HubContext } from '../hub-context';
import { DEFAULT_BOPIS_SETTINGS, OrderChange, chooseNode, type BopisSettings } from './order-change';
import { guardChannelBuffer } from '../channels/channel-availability';
import { compiledQuery } from '../storage/compiled-query';
import { readBeforeBegin } from '../storage/prepared-statements';
import type { HubDatabase } from '../storage/schema';
import type { Executor } from '../storage/storage';
import type { PaymentProvider } from '../payments/payment-provider';
import {
  authoriseIntake,
  intakeAuthorisationKey,
  recordOrderPayment,
  type IntakeAuthorisation,
} from '../payments/order-payments';
import { readOrderView, type OrderView } from './order-records';
import { candidateRowsOf, candidatesAsked, candidatesPart, type CandidatesAsked } from './routing-candidates';
import { placeSplitOrder, readCustomerOrderView, type CustomerOrderView } from './split-intake';

/**
 * `POST /api/orders`: e-commerce places a BOPIS order. The body is the domain order (BopisOrderSchema);
 * `placedAt` defaults to the hub's clock and `pickupPolicy` to the hub's configured policy.
 */
export const OrderIntakeSchema = BopisOrderSchema.extend({
  placedAt: BopisOrderSchema.shape.placedAt.optional(),
  pickupPolicy: PickupDeadlinePolicySchema.optional(),
  /** Pickup orders name it; a ship order routes from its address unless it names an origin. */
  pickup: BopisOrderSchema.shape.pickup.optional(),
  fulfilment: FulfilmentSchema.optional(),
  /**
   * Either an authorisation the shop already holds (`authorisationRef`), or the customer's card
   * (`paymentMethod`, e.g. a Stripe PaymentMethod id from checkout) for the hub to authorise at intake.
   */
  payment: PaymentAuthorisationSchema.extend({
    authorisationRef: PaymentAuthorisationSchema.shape.authorisationRef.optional(),
    paymentMethod: z.string().trim().min(1).max(200).optional(),
  }),
}).superRefine((body, context) => {
  if ((body.payment.authorisationRef === undefined) === (body.payment.paymentMethod === undefined)) {
    context.addIssue({
      code: 'custom',
      path: ['payment'],
      message:
        'Give the payment either as authorisationRef (already authorised) or as paymentMethod (the hub authorises it), not both.',
    });
  }
  if (body.pickup === undefined && body.fulfilment?.type !== 'ship') {
    context.addIssue({
      code: 'custom',
      path: ['pickup'],
      message: 'A pickup order needs pickup: the store the customer collects from, or their location.',
    });
  }
});
export type OrderIntake = z.infer<typeof OrderIntakeSchema>;

declare const parsedOrderIntake: unique symbol;

/** A body ParsedOrderIntakeSchema validated: placeOrder does not parse it again. Only that schema makes one. */
export type ParsedOrderIntake = OrderIntake & { readonly [parsedOrderIntake]: true };

/** The bodies ParsedOrderIntakeSchema made: placeOrder trusts exactly these (a cast cannot forge one). */
const parsedIntakes = new WeakSet<object>();

/**
 * OrderIntakeSchema at the edge (`POST /api/orders`): the body is validated there, once, with every
 * problem and its path in the 400, and placeOrder builds the domain order from it without parsing it
 * again. A body that did not come through this schema (other callers) is still parsed by placeOrder.
 */
export const ParsedOrderIntakeSchema = OrderIntakeSchema.transform((body) => {
  parsedIntakes.add(body);
  return body as ParsedOrderIntake;
});

interface OrderDefaults {
  readonly payment: BopisOrder['payment'];
  readonly fulfilment: BopisOrder['fulfilment'];
  readonly pickup: BopisOrder['pickup'] | undefined;
  readonly placedAt: number;
  readonly pickupPolicy: BopisOrder['pickupPolicy'];
}

/**
 * The domain order of the intake: parsed by parseBopisOrder, unless the body came through
 * ParsedOrderIntakeSchema and only the hub filled in the rest (its clock, its configured policy, the
 * origin a ship order's address gives, the shop's own authorisation reference). Then every field is
 * already a schema output and the order is assembled in the schema's key order, so it is what
 * parseBopisOrder would return, character for character once serialised (intake-parses.test.ts).
 */
function intakeOrder(body: OrderIntake, defaults: OrderDefaults, edgeParsed: boolean): ParsedBopisOrder {
  if (edgeParsed && parsedIntakes.has(body) && defaults.pickup !== undefined) {
    const order: BopisOrder = {
      orderId: body.orderId,
      orderNumber: body.orderNumber,
      channel: body.channel,
      lines: body.lines,
      customer: body.customer,
      pickup: defaults.pickup,
      fulfilment: defaults.fulfilment,
      splitConsent: body.splitConsent,
      payment: defaults.payment,
      priority: body.priority,
      placedAt: defaults.placedAt,
      pickupPolicy: defaults.pickupPolicy,
    };
    return order as ParsedBopisOrder;
  }
  const parsed = parseBopisOrder({ ...body, ...defaults });
  if (!parsed.ok) throw DomainError.fromBody(parsed.error);
  return parsed.value;
}

export const IdempotencyKeySchema = z
  .string({ error: 'The Idempotency-Key header is required, so a retried order is never placed twice.' })
  .trim()
  .min(8, 'An Idempotency-Key is 8–200 characters; a UUID per order attempt is ideal.')
  .max(200, 'An Idempotency-Key is 8–200 characters; a UUID per order attempt is ideal.');

export interface IntakeOptions {
  readonly settings?: BopisSettings;
  /** Where pickup codes get their randomness; tests pin it. */
  readonly randomBytes?: PickupCodeRandomBytes;
  /** Authorises `payment.paymentMethod` at intake; without it such orders are refused. */
  readonly payments?: PaymentProvider;
}

export interface IntakeResult {
  /** A whole order's view, or for a split the customer order with one shipment per part. */
  readonly view: OrderView | CustomerOrderView;
  /** The same key and body came before: this is the order that request made. */
  readonly replayed: boolean;
}

/** The customer order when the id is a split order, else the order itself. */
export async function readPlacedView(
  executor: Executor,
  orderId: string,
): Promise<OrderView | CustomerOrderView> {
  return (await readCustomerOrderView(executor, orderId)) ?? readOrderView(executor, orderId);
}

/** Keys sorted at every level, so the same body always hashes the same whatever the key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, entry]) => entry !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, entry]) => `${JSON.stringify(key)}:${canonicalJson(entry)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function requestHash(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

async function replayOrConflict(
  hub: HubContext,
  key: string,
  hash: string,
  clientKey: string,
): Promise<IntakeResult | undefined> {
  // Both order tables in one statement; a split order (customer_orders) wins over a whole one.
  const rows = await hub.storage.db
    .selectFrom('customer_orders')
    .select(['order_id', 'request_hash', sql<number>`1`.as('split')])
    .where('idempotency_key', '=', key)
    .unionAll(
      hub.storage.db
        .selectFrom('bopis_orders')
        .select(['order_id', 'request_hash', sql<number>`0`.as('split')])
        .where('idempotency_key', '=', key),
    )
    .execute();
  const earlier = rows.find((row) => Number(row.split) === 1) ?? rows[0];
  if (earlier === undefined) return undefined;
  if (earlier.request_hash !== hash) {
    throw new DomainError(
      'CONFLICT',
      'hub.orders.idempotencyKeyAlreadyUsed',
      { clientKey, order_id: earlier.order_id },
      { orderId: earlier.order_id },
    );
  }
  return {
    view: await readPlaced(hub.storage.db, earlier.order_id, Number(earlier.split) === 1),
    replayed: true,
  };
}

/** The view of an order whose kind is known: a whole order is not looked up among the split ones first. */
function readPlaced(
  executor: Executor,
  orderId: string,
  split: boolean,
): Promise<OrderView | CustomerOrderView> {
  return split ? readPlacedView(executor, orderId) : readOrderView(executor, orderId);
}

interface IntakeFacts {
  /** The channel's split rule (a channel HQ never configured accepts splits). */
  readonly allowSplit: boolean;
  readonly buffers: ChannelBuffer[];
}

interface IntakeRow {
  readonly kind: string;
  readonly key: string;
  readonly value: number | string;
  readonly scope: string | null;
}

/** What readIntakeFacts reads: the order's SKUs, its channel's rule and buffers, its pickup store. */
interface FactsAsked {
  readonly channel: string;
  readonly skus: readonly string[];
  readonly storeId: string | undefined;
}

/**
 * What the intake's first statement looks for: an earlier order with this key or id, and open orders
 * carrying the drawn codes (one, or SPLIT_CODES_DRAWN for an order that may split: its parts' codes).
 */
interface RepeatAsked {
  readonly key: string;
  readonly orderId: string;
  readonly pickupCodes: readonly string[];
}

/**
 * Codes an order that consents to a split draws before its first statement, so a split into up to this
 * many parts takes its parts' codes from that read instead of a read of its own while its balances are
 * locked (order storm round 13). More parts check the rest as before.
 */
const SPLIT_CODES_DRAWN = 3;

const pickupCodeRandomBytes = pooledRandomBytes();

/** `count` different pickup codes. */
function drawPickupCodes(random: PickupCodeRandomBytes, count: number): string[] {
  const codes: string[] = [];
  while (codes.length < count) {
    const code = generatePickupCode(random);
    if (!codes.includes(code)) codes.push(code);
  }
  return codes;
}

function factsAsked(order: Pick<BopisOrder, 'channel' | 'lines' | 'pickup'>): FactsAsked {
  return {
    channel: order.channel,
    skus: [...new Set(order.lines.map((line) => line.sku))],
    storeId: order.pickup.type === 'store' ? order.pickup.storeId : undefined,
  };
}

function sameFacts(a: FactsAsked, b: FactsAsked): boolean {
  return (
    a.channel === b.channel &&
    a.storeId === b.storeId &&
    a.skus.length === b.skus.length &&
    a.skus.every((sku, index) => sku === b.skus[index])
  );
}

/**
 * The intake's reads before routing as one UNION ALL of single SELECTs: with `repeat`, the repeat check
 * (kind 'match': key = order id, value = 1 split / 0 whole with scope = its idempotency key, or 2 an open
 * order carrying one of the drawn codes with scope = that code); then the facts (kinds 'sku', 'channel', 'buffer', 'store'). Built only while its
 * text is not known yet (see compiledQuery).
 */
function intakeQuery(
  tx: HubTx,
  repeat: RepeatAsked | undefined,
  facts: FactsAsked | undefined,
  candidates: ReturnType<typeof candidatesPart> | undefined,
) {
  const match = (table: 'customer_orders' | 'bopis_orders', value: number) =>
    tx.trx
      .selectFrom(table)
      .select([
        sql<string>`'match'`.as('kind'),
        'order_id as key',
        sql<number>`${sql.lit(value)}`.as('value'),
        value === 2 ? 'pickup_code as scope' : 'idempotency_key as scope',
      ]);
  const parts = [
    ...(repeat === undefined
      ? []
      : [
          ...(['customer_orders', 'bopis_orders'] as const).map((table) =>
            match(table, table === 'customer_orders' ? 1 : 0).where((eb) =>
              eb.or([eb('idempotency_key', '=', repeat.key), eb('order_id', '=', repeat.orderId)]),
            ),
          ),
          match('bopis_orders', 2)
            .where('pickup_code', 'in', repeat.pickupCodes)
            .where('status', 'not in', [...TERMINAL_BOPIS_STATUSES]),
        ]),
    ...(facts === undefined ? [] : factParts(tx, facts)),
    ...(candidates === undefined ? [] : [candidates.query()]),
  ] as unknown as SelectQueryBuilder<HubDatabase, never, IntakeRow>[];
  return parts.slice(1).reduce((query, part) => query.unionAll(part), parts[0]!);
}

/** The facts' SELECTs of intakeQuery. */
function factParts(tx: HubTx, facts: FactsAsked) {
  const text = (value: string | null) => sql<string | null>`${value}`;
  return [
    tx.trx
      .selectFrom('skus')
      .select([sql<string>`'sku'`.as('kind'), 'sku as key', 'active as value', text(null).as('scope')])
      .where('sku', 'in', facts.skus),
    tx.trx
      .selectFrom('sales_channels')
      .select([
        sql<string>`'channel'`.as('kind'),
        'channel as key',
        'allow_split as value',
        text(null).as('scope'),
      ])
      .where('channel', '=', facts.channel),
    tx.trx
      .selectFrom('channel_buffers')
      .select([sql<string>`'buffer'`.as('kind'), 'scope_key as key', 'units as value', 'scope'])
      .where('channel', '=', facts.channel),
    ...(facts.storeId === undefined
      ? []
      : [
          tx.trx
            .selectFrom('nodes')
            .select([
              sql<string>`'store'`.as('kind'),
              'node_id as key',
              sql<number>`1`.as('value'),
              text(null).as('scope'),
            ])
            .where('node_id', '=', facts.storeId),
        ]),
  ];
}

const intakeRows = compiledQuery<IntakeRow>();

/** Runs intakeQuery with its statement text kept per shape. */
function readIntake(
  tx: HubTx,
  repeat: RepeatAsked | undefined,
  facts: FactsAsked | undefined,
  candidatesAsked?: CandidatesAsked,
): Promise<IntakeRow[]> {
  const candidates = candidatesAsked === undefined ? undefined : candidatesPart(tx, candidatesAsked);
  return intakeRows(
    tx.trx,
    `${repeat === undefined ? '' : `repeat${repeat.pickupCodes.length}`}:${facts === undefined ? '' : `${facts.skus.length}:${facts.storeId === undefined ? '' : 'store'}`}:${candidates?.shape ?? ''}`,
    [
      ...(repeat === undefined
        ? []
        : [
            repeat.key,
            repeat.orderId,
            repeat.key,
            repeat.orderId,
            ...repeat.pickupCodes,
            ...TERMINAL_BOPIS_STATUSES,
          ]),
      ...(facts === undefined
        ? []
        : [
            null,
            ...facts.skus,
            null,
            facts.channel,
            facts.channel,
            ...(facts.storeId === undefined ? [] : [null, facts.storeId]),
          ]),
      ...(candidates?.parameters ?? []),
    ],
    () => intakeQuery(tx, repeat, facts, candidates),
  );
}

/**
 * The facts the body asks for before placeOrder builds (or, for a body that did not come through
 * ParsedOrderIntakeSchema, parses) the domain order, so the intake's first statement can read them too;
 * undefined for a body without lines to ask about. readIntakeFacts reads again should the order ask for
 * other ones.
 */
function factsOfBody(body: OrderIntake): FactsAsked | undefined {
  if (!Array.isArray(body.lines) || body.lines.length === 0 || body.lines.length > 200) return undefined;
  if (typeof body.channel !== 'string' || body.lines.some((line) => typeof line?.sku !== 'string')) {
    return undefined;
  }
  return {
    channel: body.channel,
    skus: [...new Set(body.lines.map((line) => line.sku))],
    storeId: body.pickup?.type === 'store' ? body.pickup.storeId : undefined,
  };
}

/**
 * Everything the intake checks before routing: the SKUs are in the catalog and sold, the pickup store
 * exists, and the channel's split rule and buffers, from the rows of the intake's first statement when
 * it asked for this order's (`read`), else in a statement of its own. Refuses an order naming what is
 * not there with INVALID_INPUT.
 */
async function readIntakeFacts(
  tx: HubTx,
  order: BopisOrder,
  read?: { readonly asked: FactsAsked; readonly rows: readonly IntakeRow[] },
): Promise<IntakeFacts> {
  const asked = factsAsked(order);
  // An order has at most 200 lines: the SKU list fits one statement.
  const rows =
    read !== undefined && sameFacts(read.asked, asked) ? read.rows : await readIntake(tx, undefined, asked);
  const storeId = asked.storeId;
  const active = new Map<string, number>();
  let allowSplit = true;
  let storeFound = false;
  const buffers: ChannelBuffer[] = [];
  for (const row of rows) {
    if (row.kind === 'sku') active.set(row.key, Number(row.value));
    else if (row.kind === 'channel') allowSplit = Number(row.value) === 1;
    else if (row.kind === 'store') storeFound = true;
    else if (row.kind === 'buffer') {
      buffers.push({ scope: row.scope as ChannelBuffer['scope'], key: row.key, units: Number(row.value) });
    }
  }
  const problems = order.lines.flatMap((line, index) => {
    const state = active.get(line.sku);
    if (state === undefined) {
      return [{ path: `lines.${index}.sku`, message: `SKU ${line.sku} is not in the catalog.` }];
    }
    if (state !== 1) {
      return [{ path: `lines.${index}.sku`, message: `SKU ${line.sku} is no longer sold.` }];
    }
    return [];
  });
  if (storeId !== undefined && !storeFound) {
    problems.push({ path: 'pickup.storeId', message: `There is no store ${storeId}.` });
  }
  if (problems.length > 0) {
    throw new DomainError(
      'INVALID_INPUT',
      'hub.orders.orderNotValid',
      { problems: problems.map((problem) => `${problem.path}: ${problem.message}`).join(' ') },
      { problems },
    );
  }
  return { allowSplit, buffers };
}

/** A code no open order carries, so the till can look an order up by code alone. */
async function uniquePickupCode(tx: HubTx, random: PickupCodeRandomBytes): Promise<string> {
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const code = generatePickupCode(random);
    const clash = await tx.trx
      .selectFrom('bopis_orders')
      .select('order_id')
      .where('pickup_code', '=', code)
      .where('status', 'not in', [...TERMINAL_BOPIS_STATUSES])
      .executeTakeFirst();
    if (clash === undefined) return code;
  }
  throw new DomainError('INTERNAL', 'hub.orders.couldNotDrawUnused');
}

/**
 * `count` different codes no open order carries (a split's parts): first the `free` ones the intake's first
 * statement found no open order carrying, then, should the split have more parts, the rest checked together.
 */
async function uniquePickupCodes(
  tx: HubTx,
  random: PickupCodeRandomBytes,
  count: number,
  free: readonly string[],
): Promise<string[]> {
  if (count <= free.length) return free.slice(0, count);
  const codes = [...free];
  while (codes.length < count) {
    const code = generatePickupCode(random);
    if (!codes.includes(code)) codes.push(code);
  }
  const drawn = codes.slice(free.length);
  const taken = new Set(
    (
      await tx.trx
        .selectFrom('bopis_orders')
        .select('pickup_code')
        .where('pickup_code', 'in', drawn)
        .where('status', 'not in', [...TERMINAL_BOPIS_STATUSES])
        .execute()
    ).map((row) => row.pickup_code),
  );
  const unique = [...free];
  for (const code of drawn) {
    let chosen = code;
    // Rare: draw again, one code at a time, until it is free and not another part's.
    while (taken.has(chosen) || unique.includes(chosen)) chosen = await uniquePickupCode(tx, random);
    unique.push(chosen);
  }
  return unique;
}

/**
 * Places and routes an order in one transaction: the order is validated, routed with the domain
 * pipeline (the explanation is stored), HELD at the chosen node and activated there at routing, so the
 * promise and the order appear together or not at all. An order no node can carry is refused with
 * INSUFFICIENT_STOCK and the routing explanation; nothing is written.
 *
 * Idempotency: the same Idempotency-Key (per caller) with the same body answers the order that key made;
 * with a different body it is a CONFLICT. Two racing requests with one key meet at the unique index.
 */
export async function placeOrder(
  hub: HubContext,
  body: OrderIntake,
  idempotencyKey: string,
  actor: string,
  options: IntakeOptions = {},
): Promise<IntakeResult> {
  const settings = options.settings ?? DEFAULT_BOPIS_SETTINGS;
  const random = options.randomBytes ?? pickupCodeRandomBytes;
  const key = `${actor}:${idempotencyKey}`;
  const hash = requestHash(body);
  const paymentMethod = body.payment.paymentMethod;
  if (paymentMethod !== undefined) {
    // A retried intake must not reach the payment provider again: answer it before authorising. Without a
    // card to authorise, the transaction's first statement finds a retry just as well.
    const earlier = await replayOrConflict(hub, key, hash, idempotencyKey);
    if (earlier !== undefined) return earlier;
  }

  // The card is authorised before anything is promised, outside the transaction (a network call must not
  // hold stock locks): a decline writes nothing. The same intake retried gets the same authorisation.
  let authorisation: IntakeAuthorisation | undefined;
  if (paymentMethod !== undefined) {
    if (options.payments === undefined) {
      throw new DomainError(
        'NOT_ALLOWED',
        'hub.orders.orderNotPlacedHub',
        { orderNumber: body.orderNumber },
        { orderId: body.orderId, reason: 'payment_provider_missing' },
      );
    }
    authorisation = await authoriseIntake(options.payments, {
      orderId: body.orderId,
      orderNumber: body.orderNumber,
      amount: body.payment.amount,
      currency: body.payment.currency,
      paymentMethod,
      callerKey: `${key}:${hash}`,
    });
  }
  const payment = {
    authorisationRef: authorisation?.intent.intentId ?? body.payment.authorisationRef ?? '',
    amount: body.payment.amount,
    currency: body.payment.currency,
  };

  try {
    try {
      const placed = await inHubTransaction(hub, async (tx) => {
        // One statement: an earlier order with this key or this order id in both order tables, whether an
        // open order carries the pickup codes drawn for this one (a split's parts' too, outside the locks),
        // and (for the body as it came, parsed below) the intake's facts. Like the balances it routes on, the
        // codes are read without a lock, before BEGIN as inside the transaction (READ COMMITTED).
        const drawnCodes = drawPickupCodes(random, body.splitConsent === true ? SPLIT_CODES_DRAWN : 1);
        const bodyFacts = factsOfBody(body);
        // On PostgreSQL the same statement reads routing's candidates for the body's SKUs (chooseNode reads
        // them again should the order ask for others): one round trip fewer per order.
        const bodyCandidates =
          bodyFacts === undefined || tx.hub.storage.kind !== 'postgres'
            ? undefined
            : candidatesAsked(bodyFacts.skus, {
                alsoNodeIds: bodyFacts.storeId === undefined ? [] : [bodyFacts.storeId],
                fulfilment: body.fulfilment?.type === 'ship' ? 'ship' : 'pickup',
              });
        // A refusal decided from this read (or a replay) then costs one round trip: no BEGIN, no ROLLBACK.
        await readBeforeBegin(tx.trx, tx.hub.storage.kind);
        const first = await readIntake(
          tx,
          { key, orderId: body.orderId, pickupCodes: drawnCodes },
          bodyFacts,
          bodyCandidates,
        );
        const matches = first
          .filter((row) => row.kind === 'match')
          .map((row) => ({ order_id: row.key, idempotency_key: row.scope, split: Number(row.value) }));
        const earlier = matches.filter((row) => Number(row.split) !== 2);
        // The key first (a split order winning over a whole one): that request is answered as a replay
        // or a conflict by its body; only then does another order with this id make a conflict.
        const sameKey =
          earlier.find((row) => Number(row.split) === 1 && row.idempotency_key === key) ??
          earlier.find((row) => row.idempotency_key === key);
        if (sameKey !== undefined) {
          return { orderId: sameKey.order_id, repeated: true, split: Number(sameKey.split) === 1 };
        }
        if (earlier.length > 0) {
          throw new DomainError(
            'CONFLICT',
            'hub.orders.orderAlreadyExistsHub',
            { orderId: body.orderId },
            { orderId: body.orderId },
          );
        }
        const takenCodes = new Set(
          first.flatMap((row) => (row.kind === 'match' && Number(row.value) === 2 ? [row.scope] : [])),
        );
        const freeCodes = drawnCodes.filter((code) => !takenCodes.has(code));
        const fulfilment = body.fulfilment ?? { type: 'pickup' as const };
        const policy = body.pickupPolicy ?? settings.pickupPolicy;
        const order = intakeOrder(
          body,
          {
            payment,
            fulfilment,
            // A ship order routes from the address it goes to.
            pickup:
              body.pickup ??
              (fulfilment.type === 'ship'
                ? { type: 'location', location: fulfilment.shipTo.location }
                : undefined),
            placedAt: body.placedAt ?? tx.at,
            pickupPolicy: { holdHours: policy.holdHours, graceMinutes: policy.graceMinutes },
          },
          // A card the hub authorised brings the provider's reference: that one is checked by the parse.
          authorisation === undefined,
        );
        const facts = await readIntakeFacts(
          tx,
          order,
          bodyFacts === undefined ? undefined : { asked: bodyFacts, rows: first },
        );
        const pickupCode = freeCodes[0] ?? (await uniquePickupCode(tx, random));
        const placeId = hub.newId();
        const draft = placeParsedBopisOrder(order, { transitionId: placeId, pickupCode });
        await guardChannelBuffer(tx, order, facts.buffers);
        const { routing, nodeId, allocations } = await chooseNode(tx, draft.state, settings, {
          allowSplit: order.splitConsent,
          channelAllowsSplit: facts.allowSplit,
          devicesWithLock: true,
          ...(bodyCandidates === undefined
            ? {}
            : {
                candidates: {
                  asked: bodyCandidates,
                  rows: candidateRowsOf(
                    first.flatMap((row) =>
                      row.kind === 'candidate' && row.scope !== null ? [row.scope] : [],
                    ),
                  ),
                },
              }),
        });
        if (routing.decision.outcome === 'split' && allocations !== undefined) {
          const view = await placeSplitOrder(tx, {
            order,
            routing,
            allocations,
            idempotencyKey: key,
            requestHash: hash,
            actor,
            pickupCodes: (count) => uniquePickupCodes(tx, random, count, freeCodes),
          });
          if (authorisation !== undefined) await recordOrderPayment(tx, order.orderId, authorisation);
          return { orderId: order.orderId, repeated: false, split: true, view };
        }
        if (nodeId === undefined) {
          const reason =
            routing.decision.outcome === 'unroutable'
              ? routing.decision.reason
              : 'no single store can take it';
          throw new DomainError(
            'INSUFFICIENT_STOCK',
            'hub.orders.noStoreCanFulfil',
            { orderNumber: order.orderNumber, reason },
            { orderId: order.orderId, routing },
          );
        }
        const placed = placeParsedBopisOrder(order, { transitionId: placeId, pickupCode, heldAt: nodeId });
        const change = OrderChange.forNew(tx, placed.state, {
          idempotencyKey: key,
          requestHash: hash,
          createdBy: actor,
          createdAt: tx.at,
        });
        await change.applyPlacementEffects(placed.effects, actor);
        change.note('placed', actor, `Order ${order.orderNumber} placed (${order.channel}).`, {
          lines: order.lines.length,
          priority: order.priority,
          pickup: order.pickup,
        });
        change.setRouting(routing);
        await change.apply(
          {
            transitionId: hub.newId(),
            basedOn: orderHead(placed.state),
            at: tx.at,
            actor: { kind: 'hub' },
            action: 'route',
            nodeId,
          },
          'hub',
        );
        await change.save();
        if (authorisation !== undefined) await recordOrderPayment(tx, order.orderId, authorisation);
        return { orderId: order.orderId, repeated: false, split: false, view: change.placedView() };
      });
      if (placed.repeated) {
        // The same key committed while this request was on its way: answer as its replay (or conflict).
        const raced = await replayOrConflict(hub, key, hash, idempotencyKey);
        if (raced !== undefined) return raced;
      }
      // A new order answers from the rows its transaction wrote (what a read would now find).
      const view =
        'view' in placed && placed.view !== undefined
          ? placed.view
          : await readPlaced(hub.storage.db, placed.orderId, placed.split);
      return { view, replayed: false };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // A request with the same key (or order id) committed between our check and our insert.
      const raced = await replayOrConflict(hub, key, hash, idempotencyKey);
      if (raced !== undefined) return raced;
      throw new DomainError(
        'CONFLICT',
        'hub.orders.orderAlreadyExistsHub',
        { orderId: body.orderId },
        { orderId: body.orderId },
      );
    }
  } catch (error) {
    // Nothing was promised: release the hold on the customer's card now rather than in a week.
    if (authorisation !== undefined && options.payments !== undefined) {
      await options.payments
        .cancel(authorisation.intent.intentId, `${intakeAuthorisationKey(`${key}:${hash}`)}-release`)
        .catch(() => undefined);
    }
    throw error;
  }
}
