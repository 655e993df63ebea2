import { z } from 'zod';
import { MAX_STOCK_QTY } from '../bounds';
import { invalid } from '../errors';
import { nodeAtp } from '../inventory/atp';
import { formatInstant } from '../time';
import { formatMoney, money } from '../money';
import { DeliveryTermsSchema, formatCutoff, promiseDelivery, type DeliveryPromise } from './delivery-promise';
import { GeoPointSchema, haversineMetres, type GeoPoint } from './geo';
import { planSplit, type SplitPart } from './split-plan';

/**
 * BOPIS routing (reference/domain.md §3, DESIGN §5): a pure, deterministic pipeline the hub runs and
 * stores next to the order.
 *
 * 1. Eligibility, every reason recorded (not only the first): active, pickup enabled, pickup not paused,
 *    in touch with the hub (not offline), not already failed this order, below its pick capacity, stocks every SKU, and node ATP after safety
 *    stock covers the order's quantity of every SKU (lines of the same SKU are added up).
 * 2. Rank the eligible nodes: the customer's chosen store first, then fewest splits (every eligible node
 *    carries the whole order, so this is 0 for all of them and a split is only ever a fallback), then the
 *    earliest promised delivery and the cheapest shipping where HQ configured zones (delivery-promise.ts), then
 *    straight-line distance from the chosen store or the customer's location (unknown distance last), then
 *    most stock (Σ ATP of the order's SKUs), then node id (code-unit order).
 * 3. No single node can carry the order: without the customer's consent, or when the sales channel
 *    forbids splits, the order is unroutable (it never splits silently). Otherwise split-plan.ts chooses
 *    the fewest usable nodes whose ATP together covers it (ties by the ranking above) and fills each line
 *    from them in rank order; a line's quantity may be shared between parts. Each part is explained.
 *
 * Candidates are sorted by node id before anything else, so the result never depends on their order.
 */

export const MAX_ROUTING_LINES = 200;
export const MAX_ROUTING_CANDIDATES = 5000;

const entityId = z.string().min(1).max(100);
const epochMs = z.number().int().min(0).max(8_640_000_000_000_000);
/** Units, or grams for kg SKUs. */
const lineQty = z.number().int().min(1).max(MAX_STOCK_QTY);
const stockQty = z.number().int().min(0);

export const PickupTargetSchema = z.discriminatedUnion('type', [
  /** The customer chose the store they will collect from. */
  z.object({ type: z.literal('store'), storeId: entityId }),
  /** The customer gave a location; the hub picks the store. */
  z.object({ type: z.literal('location'), location: GeoPointSchema }),
]);
export type PickupTarget = z.infer<typeof PickupTargetSchema>;

export const RoutingLineSchema = z.object({ lineId: entityId, sku: entityId, qty: lineQty });
export type RoutingLine = z.infer<typeof RoutingLineSchema>;

export const RoutingRequestSchema = z.object({
  orderId: entityId,
  lines: z
    .array(RoutingLineSchema)
    .min(1, 'An order needs at least one line.')
    .max(MAX_ROUTING_LINES)
    .refine((lines) => new Set(lines.map((line) => line.lineId)).size === lines.length, {
      message: 'Each order line needs its own lineId.',
    }),
  pickup: PickupTargetSchema,
  splitConsent: z.boolean().default(false),
  /** The sales channel's rule (HQ-set): a channel that forbids splitting never gets a split order. */
  channelAllowsSplit: z.boolean().default(true),
  /** Nodes that already failed this order (short pick, oversell): never tried again. */
  excludedNodeIds: z.array(entityId).max(MAX_ROUTING_CANDIDATES).default([]),
});
export type RoutingRequest = z.infer<typeof RoutingRequestSchema>;
export type RoutingRequestInput = z.input<typeof RoutingRequestSchema>;

export const CandidateStockSchema = z.object({
  sku: entityId,
  /** May be negative after offline sales; ATP clamps at zero. */
  sellable: z.number().int(),
  /** Units promised to reservations still on the shelf (HELD within TTL, ACTIVE). */
  committed: stockQty,
  safetyStock: stockQty,
});
export type CandidateStock = z.infer<typeof CandidateStockSchema>;

export const RoutingCandidateSchema = z.object({
  nodeId: entityId,
  active: z.boolean(),
  pickupEnabled: z.boolean(),
  /** Pickup temporarily off (stock take, short staffing) until this instant. */
  pickupPausedUntil: epochMs.optional(),
  /**
   * The node's tills have not synced with the hub since this instant: it may have sold its stock
   * offline and would not see a new order until it reconnects, so it is not offered orders meanwhile.
   */
  offlineSince: epochMs.optional(),
  location: GeoPointSchema.optional(),
  /** HQ's shipping zone, cut-off and the lane to the order's destination zone (cost and SLA factors). */
  delivery: DeliveryTermsSchema.optional(),
  /** Most open pick tasks the node takes; absent means no limit, 0 means it takes none. */
  pickCapacity: stockQty.optional(),
  openPicks: stockQty.default(0),
  /** One row per SKU the node stocks; a SKU without a row is not stocked there. */
  stock: z
    .array(CandidateStockSchema)
    .max(10_000)
    .refine((rows) => new Set(rows.map((row) => row.sku)).size === rows.length, {
      message: 'A node lists each SKU once.',
    }),
});
export type RoutingCandidate = z.infer<typeof RoutingCandidateSchema>;
export type RoutingCandidateInput = z.input<typeof RoutingCandidateSchema>;

const message = z.string().min(1);

export const IneligibilityReasonSchema = z.discriminatedUnion('code', [
  z.object({ code: z.literal('INACTIVE'), message }),
  z.object({ code: z.literal('PICKUP_DISABLED'), message }),
  z.object({ code: z.literal('PICKUP_PAUSED'), until: epochMs, message }),
  z.object({ code: z.literal('OFFLINE'), since: epochMs, message }),
  z.object({ code: z.literal('EXCLUDED'), message }),
  z.object({ code: z.literal('CAPACITY_FULL'), openPicks: stockQty, pickCapacity: stockQty, message }),
  z.object({ code: z.literal('NOT_STOCKED'), skus: z.array(entityId).min(1), message }),
  z.object({
    code: z.literal('INSUFFICIENT_ATP'),
    shortages: z.array(z.object({ sku: entityId, required: lineQty, atp: stockQty })).min(1),
    message,
  }),
]);
export type IneligibilityReason = z.infer<typeof IneligibilityReasonSchema>;
export type IneligibilityCode = IneligibilityReason['code'];

export const CandidateExplanationSchema = z.object({
  nodeId: entityId,
  /** Can carry the whole order on its own. */
  eligible: z.boolean(),
  /** 1-based position among eligible nodes. */
  rank: z.number().int().min(1).optional(),
  /** Part of the decision (the routed node or one node of a split). */
  selected: z.boolean(),
  chosenStore: z.boolean(),
  distanceMetres: stockQty.optional(),
  /** Local dates at the node: when it would ship and the delivery it can promise (lane set by HQ). */
  shipDate: z.string().optional(),
  promisedDate: z.string().optional(),
  /** The lane's shipping cost from the node's zone to the destination zone. */
  shippingCost: z.object({ amount: stockQty, currency: z.string() }).optional(),
  /** Σ ATP over the order's SKUs at this node, the "most stock" criterion. */
  totalAtp: stockQty,
  skus: z.array(z.object({ sku: entityId, required: lineQty, atp: stockQty.optional() })),
  /** Lines this node could carry on its own, each taken alone. */
  coverableLineIds: z.array(entityId),
  reasons: z.array(IneligibilityReasonSchema),
  summary: message,
});
export type CandidateExplanation = z.infer<typeof CandidateExplanationSchema>;

export const RoutingAllocationSchema = z.object({
  nodeId: entityId,
  /** In a split, a line's quantity may be shared between parts; its parts add up to the line. */
  lines: z.array(RoutingLineSchema).min(1),
  /** Why this part went to this node, in the words of whole-order routing (splits only). */
  summary: message.optional(),
});
export type RoutingAllocation = z.infer<typeof RoutingAllocationSchema>;

export const RoutingDecisionSchema = z.discriminatedUnion('outcome', [
  z.object({ outcome: z.literal('routed'), nodeId: entityId, allocations: z.array(RoutingAllocationSchema) }),
  z.object({
    outcome: z.literal('split'),
    allocations: z.array(RoutingAllocationSchema).min(2),
    /** False when the node count could not be proven the fewest within the search budget. */
    minimal: z.boolean().optional(),
  }),
  z.object({
    outcome: z.literal('unroutable'),
    reason: message,
    /** Lines that could not be placed (empty when only the no-split rule stopped the order). */
    uncoverableLineIds: z.array(entityId),
  }),
]);
export type RoutingDecision = z.infer<typeof RoutingDecisionSchema>;

export const ROUTING_CRITERIA = [
  'chosen_store',
  'fewest_splits',
  'promised_date',
  'shipping_cost',
  'distance',
  'most_stock',
  'node_id',
] as const;

export const RoutingResultSchema = z.object({
  orderId: entityId,
  decidedAt: epochMs,
  criteria: z.array(z.enum(ROUTING_CRITERIA)),
  splitConsent: z.boolean(),
  decision: RoutingDecisionSchema,
  /** Eligible nodes by rank, then the others by node id. */
  candidates: z.array(CandidateExplanationSchema),
});
export type RoutingResult = z.infer<typeof RoutingResultSchema>;

interface Evaluation {
  readonly candidate: RoutingCandidate;
  /** Reasons that rule the node out whatever it stocks. */
  readonly nodeReasons: IneligibilityReason[];
  readonly stockReasons: IneligibilityReason[];
  readonly atpBySku: ReadonlyMap<string, number | undefined>;
  readonly chosenStore: boolean;
  readonly distanceMetres: number | undefined;
  readonly promise: DeliveryPromise | undefined;
  readonly totalAtp: number;
  readonly coverableLineIds: string[];
}

function describeProblems(error: z.ZodError, subject: string): string {
  const problems = error.issues.map((issue) => {
    const path = issue.path.length === 0 ? subject : `${subject}.${issue.path.map(String).join('.')}`;
    return `${path}: ${issue.message}`;
  });
  return problems.join(' ');
}

function parseRequest(input: RoutingRequestInput): RoutingRequest {
  const parsed = RoutingRequestSchema.safeParse(input);
  if (!parsed.success) {
    throw invalid(
      'routing.orderCannotRouted',
      { error: describeProblems(parsed.error, 'order') },
      {
        issues: parsed.error.issues.map((issue) => ({
          path: issue.path.map(String),
          message: issue.message,
        })),
      },
    );
  }
  return parsed.data;
}

function parseCandidates(inputs: readonly RoutingCandidateInput[]): RoutingCandidate[] {
  checkCandidateCount(inputs.length);
  return sortedCandidates(
    inputs.map((input, index) => {
      const parsed = RoutingCandidateSchema.safeParse(input);
      if (!parsed.success) {
        throw invalid(
          'routing.routingCandidateNotValid',
          { index, error: describeProblems(parsed.error, 'node') },
          {
            index,
            issues: parsed.error.issues.map((issue) => ({
              path: issue.path.map(String),
              message: issue.message,
            })),
          },
        );
      }
      return parsed.data;
    }),
  );
}

function checkCandidateCount(count: number): void {
  if (count > MAX_ROUTING_CANDIDATES) {
    throw invalid(
      'routing.mostNodesCanConsidered',
      { MAX_ROUTING_CANDIDATES },
      {
        count,
      },
    );
  }
}

/** The candidates by node id (a copy), refusing a node listed twice: what routing's determinism needs. */
function sortedCandidates(list: readonly RoutingCandidate[]): RoutingCandidate[] {
  const candidates = [...list];
  candidates.sort((a, b) => compareText(a.nodeId, b.nodeId));
  for (let index = 1; index < candidates.length; index += 1) {
    const nodeId = (candidates[index] as RoutingCandidate).nodeId;
    if ((candidates[index - 1] as RoutingCandidate).nodeId === nodeId) {
      throw invalid('routing.nodeListedTwiceAmong', { nodeId }, { nodeId });
    }
  }
  return candidates;
}

/** Code-unit order: the same on every runtime and locale, unlike localeCompare. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The order's demand per SKU, in the order SKUs first appear on the lines. */
export function demandBySku(lines: readonly RoutingLine[]): Map<string, number> {
  const demand = new Map<string, number>();
  for (const line of lines) demand.set(line.sku, (demand.get(line.sku) ?? 0) + line.qty);
  return demand;
}

function originOf(request: RoutingRequest, candidates: readonly RoutingCandidate[]): GeoPoint | undefined {
  const pickup = request.pickup;
  if (pickup.type === 'location') return pickup.location;
  return candidates.find((candidate) => candidate.nodeId === pickup.storeId)?.location;
}

function evaluate(
  candidate: RoutingCandidate,
  request: RoutingRequest,
  demand: ReadonlyMap<string, number>,
  origin: GeoPoint | undefined,
  at: number,
): Evaluation {
  const nodeId = candidate.nodeId;
  const nodeReasons: IneligibilityReason[] = [];
  if (!candidate.active) nodeReasons.push({ code: 'INACTIVE', message: `Node ${nodeId} is not active.` });
  if (!candidate.pickupEnabled) {
    nodeReasons.push({ code: 'PICKUP_DISABLED', message: `Node ${nodeId} does not offer store pickup.` });
  }
  if (candidate.pickupPausedUntil !== undefined && at < candidate.pickupPausedUntil) {
    nodeReasons.push({
      code: 'PICKUP_PAUSED',
      until: candidate.pickupPausedUntil,
      message: `Pickup at node ${nodeId} is paused until ${formatInstant(candidate.pickupPausedUntil)}.`,
    });
  }
  if (candidate.offlineSince !== undefined) {
    nodeReasons.push({
      code: 'OFFLINE',
      since: candidate.offlineSince,
      message: `Node ${nodeId} has not synced since ${formatInstant(candidate.offlineSince)}; its stock may have been sold offline.`,
    });
  }
  if (request.excludedNodeIds.includes(nodeId)) {
    nodeReasons.push({
      code: 'EXCLUDED',
      message: `Node ${nodeId} already failed this order, so it is not tried again.`,
    });
  }
  if (candidate.pickCapacity !== undefined && candidate.openPicks >= candidate.pickCapacity) {
    nodeReasons.push({
      code: 'CAPACITY_FULL',
      openPicks: candidate.openPicks,
      pickCapacity: candidate.pickCapacity,
      message: `Node ${nodeId} has ${candidate.openPicks} open picks and takes at most ${candidate.pickCapacity}.`,
    });
  }

  const stockBySku = new Map(candidate.stock.map((row) => [row.sku, row]));
  const atpBySku = new Map<string, number | undefined>();
  const notStocked: string[] = [];
  const shortages: { sku: string; required: number; atp: number }[] = [];
  let totalAtp = 0;
  for (const [sku, required] of demand) {
    const row = stockBySku.get(sku);
    if (row === undefined) {
      atpBySku.set(sku, undefined);
      notStocked.push(sku);
      continue;
    }
    const atp = nodeAtp(row);
    atpBySku.set(sku, atp);
    totalAtp += atp;
    if (atp < required) shortages.push({ sku, required, atp });
  }
  const stockReasons: IneligibilityReason[] = [];
  if (notStocked.length > 0) {
    stockReasons.push({
      code: 'NOT_STOCKED',
      skus: notStocked,
      message: `Node ${nodeId} does not stock SKU ${notStocked.join(', ')}.`,
    });
  }
  if (shortages.length > 0) {
    const detail = shortages
      .map((shortage) => `${shortage.atp} of ${shortage.required} × SKU ${shortage.sku}`)
      .join(', ');
    stockReasons.push({
      code: 'INSUFFICIENT_ATP',
      shortages,
      message: `Node ${nodeId} can promise only ${detail} after safety stock.`,
    });
  }

  const coverableLineIds = request.lines
    .filter((line) => (atpBySku.get(line.sku) ?? 0) >= line.qty)
    .map((line) => line.lineId);
  const pickup = request.pickup;
  return {
    candidate,
    nodeReasons,
    stockReasons,
    atpBySku,
    chosenStore: pickup.type === 'store' && pickup.storeId === nodeId,
    distanceMetres:
      origin !== undefined && candidate.location !== undefined
        ? haversineMetres(origin, candidate.location)
        : undefined,
    promise: candidate.delivery === undefined ? undefined : promiseDelivery(at, candidate.delivery),
    totalAtp,
    coverableLineIds,
  };
}

function isEligible(evaluation: Evaluation): boolean {
  return evaluation.nodeReasons.length === 0 && evaluation.stockReasons.length === 0;
}

function laneCost(evaluation: Evaluation) {
  return evaluation.promise === undefined ? undefined : evaluation.candidate.delivery?.lane?.cost;
}

/**
 * The ranking after fewest splits: chosen store, earliest promised delivery, cheapest shipping (costs in
 * different currencies are not compared), distance, most stock, node id. A factor HQ has not configured
 * for a node ranks it after the nodes where it is known.
 */
function compareRank(a: Evaluation, b: Evaluation): number {
  if (a.chosenStore !== b.chosenStore) return a.chosenStore ? -1 : 1;
  const promisedA = a.promise?.promisedDate;
  const promisedB = b.promise?.promisedDate;
  if (promisedA !== promisedB) {
    if (promisedA === undefined) return 1;
    if (promisedB === undefined) return -1;
    return compareText(promisedA, promisedB);
  }
  const costA = laneCost(a);
  const costB = laneCost(b);
  if (costA !== undefined && costB !== undefined) {
    if (costA.currency === costB.currency && costA.amount !== costB.amount)
      return costA.amount - costB.amount;
  } else if (costA !== costB) {
    return costA === undefined ? 1 : -1;
  }
  if (a.distanceMetres !== b.distanceMetres) {
    if (a.distanceMetres === undefined) return 1;
    if (b.distanceMetres === undefined) return -1;
    return a.distanceMetres - b.distanceMetres;
  }
  if (a.totalAtp !== b.totalAtp) return b.totalAtp - a.totalAtp;
  return compareText(a.candidate.nodeId, b.candidate.nodeId);
}

/** The cost and SLA factors in words, e.g. "promised 2026-12-09 (ships 2026-12-07, before the 15:00 cut-off, 2 transit days)". */
function deliveryFacts(evaluation: Evaluation): string[] {
  const terms = evaluation.candidate.delivery;
  const promise = evaluation.promise;
  if (terms === undefined || promise === undefined || terms.lane === undefined) return [];
  const cutoff = `${promise.cutoffMissed ? 'after' : 'before'} the ${formatCutoff(terms.cutoffMinute)} cut-off`;
  const transit = `${promise.transitDays} transit ${promise.transitDays === 1 ? 'day' : 'days'}`;
  const cost = terms.lane.cost;
  return [
    `promised ${promise.promisedDate} (ships ${promise.shipDate}, ${cutoff}, ${transit})`,
    `shipping ${formatMoney(money(cost.amount, cost.currency))} from zone ${terms.zone}`,
  ];
}

function summarise(evaluation: Evaluation, rank: number | undefined, eligibleCount: number): string {
  if (rank === undefined) {
    return [...evaluation.nodeReasons, ...evaluation.stockReasons].map((reason) => reason.message).join(' ');
  }
  const facts: string[] = [];
  if (evaluation.chosenStore) facts.push("the customer's chosen store");
  facts.push(...deliveryFacts(evaluation));
  if (evaluation.distanceMetres !== undefined) facts.push(`${evaluation.distanceMetres} m away`);
  facts.push(`${evaluation.totalAtp} units available to promise`);
  return `Eligible, ranked ${rank} of ${eligibleCount}: ${facts.join(', ')}.`;
}

function explain(
  evaluation: Evaluation,
  rank: number | undefined,
  eligibleCount: number,
  selected: boolean,
  demand: ReadonlyMap<string, number>,
): CandidateExplanation {
  const skus = [...demand].map(([sku, required]) => {
    const atp = evaluation.atpBySku.get(sku);
    return atp === undefined ? { sku, required } : { sku, required, atp };
  });
  return {
    nodeId: evaluation.candidate.nodeId,
    eligible: rank !== undefined,
    ...(rank === undefined ? {} : { rank }),
    selected,
    chosenStore: evaluation.chosenStore,
    ...(evaluation.distanceMetres === undefined ? {} : { distanceMetres: evaluation.distanceMetres }),
    ...(evaluation.promise === undefined
      ? {}
      : { shipDate: evaluation.promise.shipDate, promisedDate: evaluation.promise.promisedDate }),
    ...(laneCost(evaluation) === undefined ? {} : { shippingCost: { ...laneCost(evaluation)! } }),
    totalAtp: evaluation.totalAtp,
    skus,
    coverableLineIds: evaluation.coverableLineIds,
    reasons: [...evaluation.nodeReasons, ...evaluation.stockReasons],
    summary: summarise(evaluation, rank, eligibleCount),
  };
}

/**
 * Chooses where a BOPIS order is fulfilled and explains the choice for every candidate. Pure: the same
 * order, candidates (in any order) and instant always give the same result. Throws INVALID_INPUT when the
 * order or a candidate is malformed; an order no node can carry is a decision (`unroutable`), not an error.
 */
export function routeOrder(
  orderInput: RoutingRequestInput,
  candidateInputs: readonly RoutingCandidateInput[],
  at: number,
): RoutingResult {
  if (!Number.isSafeInteger(at) || at < 0) {
    throw invalid('routing.routingTimeMustEpoch', {}, { at });
  }
  return routeRequest(parseRequest(orderInput), parseCandidates(candidateInputs), at);
}

/**
 * routeOrder for a request and candidates that are already the schemas' output, built by typed code from
 * validated values (the hub routes from an order it parsed at intake and from its own rows): they are not
 * parsed again. The checks routing's determinism needs (the candidate count, a node listed twice, the
 * instant) still run; the result is exactly routeOrder's for the same values.
 */
export function routeValidOrder(
  request: RoutingRequest,
  candidates: readonly RoutingCandidate[],
  at: number,
): RoutingResult {
  if (!Number.isSafeInteger(at) || at < 0) {
    throw invalid('routing.routingTimeMustEpoch', {}, { at });
  }
  checkCandidateCount(candidates.length);
  return routeRequest(request, sortedCandidates(candidates), at);
}

/** The pipeline itself, on a valid request and candidates sorted by node id. */
function routeRequest(request: RoutingRequest, candidates: RoutingCandidate[], at: number): RoutingResult {
  const demand = demandBySku(request.lines);
  const origin = originOf(request, candidates);
  const evaluations = candidates.map((candidate) => evaluate(candidate, request, demand, origin, at));

  const eligible = evaluations.filter(isEligible).sort(compareRank);
  const ineligible = evaluations.filter((evaluation) => !isEligible(evaluation));
  const ranks = new Map(eligible.map((evaluation, index) => [evaluation, index + 1]));

  let decision: RoutingDecision;
  const winner = eligible[0];
  if (winner !== undefined) {
    decision = {
      outcome: 'routed',
      nodeId: winner.candidate.nodeId,
      allocations: [{ nodeId: winner.candidate.nodeId, lines: request.lines }],
    };
  } else {
    const usable = evaluations.filter((evaluation) => evaluation.nodeReasons.length === 0);
    const coverable = new Set(usable.flatMap((evaluation) => evaluation.coverableLineIds));
    const uncoverableLineIds = request.lines
      .filter((line) => !coverable.has(line.lineId))
      .map((line) => line.lineId);
    const splitAllowed = request.splitConsent && request.channelAllowsSplit;
    decision = splitAllowed
      ? splitDecision(usable, request.lines)
      : {
          outcome: 'unroutable',
          reason: !request.channelAllowsSplit
            ? 'No single pickup node can fulfil the whole order, and its sales channel forbids split orders.'
            : uncoverableLineIds.length === 0
              ? 'No single pickup node can fulfil the whole order, and the customer has not agreed to a split.'
              : `No pickup node can fulfil line ${uncoverableLineIds.join(', ')}; no single node can fulfil the whole order.`,
          uncoverableLineIds,
        };
  }

  const selectedNodes = new Set(
    decision.outcome === 'unroutable' ? [] : decision.allocations.map((allocation) => allocation.nodeId),
  );
  const explanations = [...eligible, ...ineligible].map((evaluation) =>
    explain(
      evaluation,
      ranks.get(evaluation),
      eligible.length,
      selectedNodes.has(evaluation.candidate.nodeId),
      demand,
    ),
  );
  return {
    orderId: request.orderId,
    decidedAt: at,
    criteria: [...ROUTING_CRITERIA],
    splitConsent: request.splitConsent,
    decision,
    candidates: explanations,
  };
}

function describePart(
  part: SplitPart,
  index: number,
  count: number,
  evaluation: Evaluation,
  splitRank: number,
  lines: readonly RoutingLine[],
): string {
  const ordered = new Map(lines.map((line) => [line.lineId, line.qty]));
  const carried = part.lines
    .map((line) => {
      const of = ordered.get(line.lineId) ?? line.qty;
      return `${line.qty}${of === line.qty ? '' : ` of ${of}`} × SKU ${line.sku} (line ${line.lineId})`;
    })
    .join(', ');
  const facts: string[] = [`ranked ${splitRank} among nodes that can carry part of it`];
  if (evaluation.chosenStore) facts.push("the customer's chosen store");
  facts.push(...deliveryFacts(evaluation));
  if (evaluation.distanceMetres !== undefined) facts.push(`${evaluation.distanceMetres} m away`);
  facts.push(`${evaluation.totalAtp} ${evaluation.totalAtp === 1 ? 'unit' : 'units'} available to promise`);
  return `Part ${index + 1} of ${count} from node ${part.nodeId}: ${carried}; ${facts.join(', ')}.`;
}

function splitDecision(usable: readonly Evaluation[], lines: readonly RoutingLine[]): RoutingDecision {
  const ranked = [...usable].sort(compareRank);
  const plan = planSplit(
    lines,
    ranked.map((evaluation) => ({
      nodeId: evaluation.candidate.nodeId,
      atpBySku: new Map([...evaluation.atpBySku].map(([sku, atp]) => [sku, atp ?? 0])),
    })),
  );
  if (plan.kind === 'short') {
    const shortSkus = new Set(plan.shortSkus);
    const uncoverableLineIds = lines.filter((line) => shortSkus.has(line.sku)).map((line) => line.lineId);
    return {
      outcome: 'unroutable',
      reason: `All pickup nodes together cannot promise enough of SKU ${plan.shortSkus.join(', ')} for line ${uncoverableLineIds.join(', ')}, even with a split.`,
      uncoverableLineIds,
    };
  }
  const byNode = new Map(
    ranked.map((evaluation, index) => [evaluation.candidate.nodeId, { evaluation, index }]),
  );
  const allocations = plan.parts.map((part, index) => {
    const { evaluation, index: position } = byNode.get(part.nodeId) as {
      evaluation: Evaluation;
      index: number;
    };
    return {
      nodeId: part.nodeId,
      lines: part.lines.map((line) => ({ ...line })),
      summary: describePart(part, index, plan.parts.length, evaluation, position + 1, lines),
    };
  });
  return { outcome: 'split', allocations, minimal: plan.minimal };
}
