/**
 * Table shapes for Kysely. One schema for both backends: timestamps are epoch milliseconds (bigint),
 * booleans are 0/1 integers and structured values are JSON text, so every query compiles and behaves
 * the same on SQLite and PostgreSQL.
 */
import type { Generated } from 'kysely';

export interface HubMetaTable {
  key: string;
  value: string;
}

export interface HubCounterTable {
  name: string;
  value: number;
}

/** A counter per reference table, raised by a trigger on every write to it (migration 0028). */
export interface ReferenceVersionTable {
  name: 'tax_rates' | 'loyalty_programme_history';
  version: number | string;
}

export interface NodeTable {
  node_id: string;
  code: string;
  name: string;
  kind: 'store' | 'warehouse';
  region: string;
  latitude: number | null;
  longitude: number | null;
  pickup_enabled: number;
  pick_capacity: number;
  /** Ship-from-store (or warehouse) orders are routed here. */
  ship_enabled?: number;
  /** Open ship picks this node takes at once, apart from pickup picks; 0 = no limit. */
  ship_pick_capacity?: number;
  jurisdiction: string;
  currency: string;
  timezone: string;
  active: number;
  version: number;
  created_at: number;
  updated_at: number;
}

export interface DeviceTable {
  device_id: string;
  node_id: string;
  device_no: number;
  name: string;
  credential_hash: string;
  enrolled_at: number;
  revoked_at: number | null;
  last_seen_at: number | null;
  last_seq: number;
  last_push_at: number | null;
  outbox_pending: number | null;
  outbox_oldest_at: string | null;
  /** Bumped by every HQ edit (rename): an edit names the version it was made on (migration 0024). */
  version: number;
}

export interface EnrollmentCodeTable {
  code_hash: string;
  node_id: string;
  created_by: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
  device_id: string | null;
  /** Hash of the key the till that used the code saved first: its retry gets the same device. */
  retry_key_hash: string | null;
}

export interface HqUserTable {
  user_id: string;
  username: string;
  password_hash: string;
  role: 'admin' | 'operator' | 'viewer';
  active: number;
  created_at: number;
  updated_at: number;
}

export interface SessionTable {
  token_hash: string;
  user_id: string;
  created_at: number;
  expires_at: number;
}

export interface ApiKeyTable {
  key_id: string;
  name: string;
  secret_hash: string;
  scopes: string;
  created_by: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface CategoryTable {
  category_id: string;
  parent_id: string | null;
  data: string;
  updated_at: number;
}

export interface ProductTable {
  product_id: string;
  data: string;
  updated_at: number;
}

export interface SkuTable {
  sku: string;
  product_id: string;
  /** The SKU's name, copied from `data` so HQ can search by it. */
  name: string;
  active: number;
  data: string;
  /** Raised by every write; an edit names the version it was made from (migration 0025). */
  version: Generated<number>;
  updated_at: number;
}

export interface BarcodeTable {
  barcode_key: string;
  sku: string;
}

export interface TaxRateTable {
  rate_id: string;
  data: string;
  updated_at: number;
}

export interface PriceBookTable {
  price_book_id: string;
  version: number;
  data: string;
  updated_at: number;
  updated_by: string;
}

export interface PriceEntryTable {
  price_book_id: string;
  sku: string;
  data: string;
}

export interface PromotionTable {
  promotion_id: string;
  version: number;
  data: string;
  updated_at: number;
  updated_by: string;
}

export interface EntityVersionTable {
  entity: string;
  entity_key: string;
  version: number;
  data: string;
  changed_by: string;
  changed_at: number;
}

export interface CustomerTable {
  customer_id: string;
  /** The LoyaltyCustomer as JSON. */
  data: string;
  temporary: number;
  name: string | null;
  /** Normalised lookup keys (packages/domain loyalty/lookup-keys). */
  phone: string | null;
  email: string | null;
  /** A temporary customer merged into another: the one to use instead. */
  merged_into: string | null;
  origin_node: string | null;
  created_at: number;
  updated_at: number;
}

export interface LoyaltyAccountTable {
  account_id: string;
  customer_id: string;
  card_number: string;
  status: string;
  tier_id: string | null;
  merged_into: string | null;
  /** The earliest pending activation, lot expiry or hold timeout of the account (the loyalty job). */
  next_due_at: number | null;
  created_at: number;
  updated_at: number;
}

/** One LoyaltyEntry: its fields as columns, the whole validated entry in `entry`. Append-only. */
export interface LoyaltyEntryTable {
  entry_id: string;
  account_id: string;
  type: string;
  points: number;
  occurred_at: number;
  available_at: number | null;
  expires_at: number | null;
  lot_id: string | null;
  hold_id: string | null;
  source_doc: string | null;
  caused_by: string | null;
  origin_node: string | null;
  device_id: string | null;
  event_id: string | null;
  entry: string;
  recorded_at: number;
}

export interface StoredValueAccountTable {
  account_id: string;
  kind: 'store_credit' | 'gift_card';
  currency: string;
  customer_id: string | null;
  masked_number: string;
  /**
   * What the number is found by: HMAC under the hub's key of the normalised number's SHA-256 (0010;
   * before, the bare SHA-256). The number itself is never stored.
   */
  number_hash: string;
  status: 'active' | 'blocked';
  issued_at: number;
  issued_at_node: string | null;
  next_due_at: number | null;
  created_at: number;
  updated_at: number;
  /** An optional PIN the hub checks on lookup (0010), hashed like a password. */
  pin_hash?: string | null;
  /** Wrong PINs in a row; at the limit the card is locked until `pin_locked_until`. */
  pin_failures?: number;
  pin_locked_until?: number | null;
}

/** An account id from before 0010, kept only as its HMAC, for till events that still name it. */
export interface StoredValueAliasTable {
  alias_key: string;
  account_id: string;
}

/** One StoredValueEntry, as loyalty_entries. Append-only. */
export interface StoredValueEntryTable {
  entry_id: string;
  account_id: string;
  type: string;
  amount: number;
  currency: string;
  occurred_at: number;
  hold_id: string | null;
  expires_at: number | null;
  source_doc: string | null;
  caused_by: string | null;
  origin_node: string | null;
  device_id: string | null;
  event_id: string | null;
  entry: string;
  recorded_at: number;
}

export interface LoyaltyConfigTable {
  key: string;
  value: string;
  updated_by: string;
  updated_at: number;
}

export interface MovementTable {
  movement_id: string;
  node_id: string;
  sku: string;
  type: string;
  bucket: string;
  delta: number;
  reason: string | null;
  source_doc: string | null;
  event_id: string | null;
  actor: string;
  recorded_at: number;
}

export interface StockBalanceTable {
  node_id: string;
  sku: string;
  sellable: number;
  staged: number;
  damaged: number;
  quality_control: number;
  in_transit: number;
  /** HELD (within TTL until swept) and ACTIVE reservation quantities: units promised but on the shelf. */
  committed: number;
  safety_stock: number;
  updated_at: number;
}

export interface ReservationTable {
  reservation_id: string;
  node_id: string;
  sku: string;
  qty: number;
  status: string;
  priority: number;
  order_ref: string;
  idempotency_key: string | null;
  backorder: number;
  expires_at: number | null;
  replaced_by: string | null;
  version: number;
  created_at: number;
  updated_at: number;
}

export interface ReservationHistoryTable {
  reservation_id: string;
  version: number;
  from_status: string | null;
  to_status: string;
  reason: string;
  actor: string;
  at: number;
}

export interface IngestedEventTable {
  event_id: string;
  device_id: string;
  device_seq: number;
  node_id: string;
  type: string;
  schema_version: number;
  status: 'applied' | 'rejected';
  envelope: string;
  received_at: number;
  /** Why a `rejected` event was rejected (0004); re-reported when the event is pushed again. */
  reject_reason?: string | null;
}

export interface SaleTable {
  sale_id: string;
  node_id: string;
  device_id: string;
  receipt_number: string;
  customer_id: string | null;
  currency: string;
  total: number;
  status: 'completed' | 'voided';
  completed_at: string;
  event_id: string;
}

export interface ReturnTable {
  return_id: string;
  node_id: string;
  device_id: string;
  original_sale_id: string | null;
  currency: string;
  refund_total: number;
  completed_at: string;
  event_id: string;
}

export interface ShiftTable {
  shift_id: string;
  node_id: string;
  device_id: string;
  staff_id: string;
  currency: string;
  status: 'open' | 'closed';
  float: number;
  expected_cash: number | null;
  counted_cash: number | null;
  over_short: number | null;
  opened_at: string | null;
  closed_at: string | null;
  updated_at: number;
}

/**
 * Which store a staff member works at, as the hub first saw them (0006): staff are created at store nodes,
 * so the first event naming an id tells the hub whose they are, and later events of another store naming
 * them are out of that store's scope.
 */
export interface StoreStaffTable {
  staff_id: string;
  node_id: string;
  first_event_id: string;
  first_seen_at: number;
}

/** A staff member a store created itself (0027), and what the hub believes of the role the till gave. */
export interface StoreCreatedStaffTable {
  staff_id: string;
  node_id: string;
  device_id: string;
  event_id: string;
  staff_code: string;
  name: string;
  claimed_role: string;
  role: string;
  status: 'verified' | 'rejected' | 'unverified';
  reason: string | null;
  created_by: string;
  created_at: number;
  recorded_at: number;
  judged_at: number;
  exception_id: string | null;
}

/** A role a sale claimed for staff the hub did not know yet, and the exception that waits for them (0027). */
export interface StaffRoleDoubtTable {
  exception_id: string;
  staff_id: string;
  node_id: string;
  claimed_role: string;
}

/** A staff member HQ manages (0016); `stores` is a JSON array of node ids, empty for every store. */
export interface HqStaffTable {
  staff_id: string;
  staff_code: string;
  staff_code_key: string;
  name: string;
  role: string;
  pin_hash: string;
  active: number;
  stores: string;
  version: number;
  deactivated_at: number | null;
  created_at: number;
  updated_at: number;
  updated_by: string;
}

/** One HQ change (0016): `before`/`after` are JSON of the state, null where there was none. */
export interface HqAuditTable {
  audit_id: string;
  at: number;
  actor: string;
  action: string;
  subject: string;
  before: string | null;
  after: string | null;
  /** The store an entry happened at (a till's override, void...); null for HQ's own changes (0019). */
  node_id?: string | null;
}

/** One store setting at one scope (0019): `value` is JSON, null once HQ cleared it at this scope. */
export interface HqSettingTable {
  scope_kind: 'chain' | 'region' | 'store';
  /** '' for the chain, the region's id, or the store's node id. */
  scope_id: string;
  key: string;
  value: string | null;
  version: number;
  revision: number;
  updated_at: number;
  updated_by: string;
}

/** The chain's settings revision counter (0019): one row, id 1. */
export interface HqSettingsHeadTable {
  id: number;
  revision: number;
}

/** Every value a setting had at one scope, by the revision that set it (0023); null once cleared. */
export interface HqSettingHistoryTable {
  scope_kind: 'chain' | 'region' | 'store';
  scope_id: string;
  key: string;
  revision: number;
  value: string | null;
}

/** Every loyalty programme HQ has set, from when it applied (0008): sales are checked at their own time. */
export interface LoyaltyProgrammeHistoryTable {
  version_id: string;
  effective_from: number;
  programme: string;
  saved_by: string;
}

/** Card terminal references of completed sales per store (0008), to flag a reference used twice. */
export interface CardReferenceTable {
  node_id: string;
  reference: string;
  tender_id: string;
  sale_id: string;
  event_id: string;
  recorded_at: number;
}

export type HeldStatus = 'held' | 'released' | 'dropped';

/**
 * Points a sale would have earned, held because the hub could not verify the sale (0008): HQ releases
 * them (earned as of the sale) or drops them.
 */
export interface HeldPointsTable {
  hold_id: string;
  sale_id: string;
  account_id: string;
  node_id: string;
  device_id: string;
  event_id: string;
  currency: string;
  /** What the points would be earned on, in minor units, as the till reported it. */
  eligible: number;
  /** The points that amount would have earned when the sale arrived. */
  points: number;
  tier_id: string | null;
  occurred_at: number;
  reasons: string;
  status: HeldStatus;
  exception_id: string;
  created_at: number;
  decided_by: string | null;
  decided_at: number | null;
  note: string | null;
}

/**
 * Store credit a return would have issued, frozen until HQ releases or drops it (0008): a no-receipt
 * return without its override, a return of a sale the hub does not know, or a store over its daily limit.
 * The number is kept only as the key it is looked up by, and masked.
 */
export interface HeldCreditTable {
  credit_id: string;
  node_id: string;
  device_id: string;
  event_id: string;
  return_id: string;
  kind: 'store_credit' | 'gift_card';
  currency: string;
  amount: number;
  number_key: string | null;
  masked_number: string | null;
  account_id: string | null;
  customer_id: string | null;
  reasons: string;
  status: HeldStatus;
  exception_id: string;
  created_at: number;
  decided_by: string | null;
  decided_at: number | null;
  note: string | null;
}

/** Store credit issued per store, per local day and currency (0008), against HQ's daily limit. */
export interface StoreCreditIssuedTable {
  node_id: string;
  day: string;
  currency: string;
  amount: number;
}

/** The last HQ transfer number used per shipping node (migration 0024). */
export interface HqTransferNumberTable {
  node_id: string;
  last_seq: number;
}

export interface TransferTable {
  transfer_id: string;
  from_node_id: string;
  to_node_id: string;
  /** `received_first`: the receipt reached the hub before the shipment (the sender was offline). */
  status: 'in_transit' | 'received' | 'received_with_variance' | 'received_first';
  lines: string;
  created_by: string;
  created_at: number;
  received_at: number | null;
}

/** SQLite only (migration 0014): the changes open dashboards follow, by sequence; PostgreSQL NOTIFYs instead. */
export interface LiveChangeTable {
  seq: number;
  topic: string;
  entity_id: string;
  detail: string;
}

export interface ExceptionTable {
  exception_id: string;
  type: string;
  severity: 'info' | 'warning' | 'critical';
  node_id: string | null;
  sku: string | null;
  /** Set while a condition exception is open, so one (type, node, sku) condition has one open row. */
  condition_key: string | null;
  cause_event_ids: string;
  details: string;
  status: 'open' | 'resolved';
  occurrences: number;
  resolution_note: string | null;
  resolved_by: string | null;
  resolved_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface FeedChangeTable {
  hub_seq: number;
  entity: string;
  entity_key: string;
  op: 'upsert' | 'delete';
  data: string | null;
  /** '*' for chain-wide rows, else the node id the row is for. */
  scope: string;
  created_at: number;
}

export interface ImportJobTable {
  import_id: string;
  format: string;
  status: 'running' | 'failed' | 'completed';
  rows_read: number;
  rows_valid: number;
  error_count: number;
  errors: string;
  summary: string;
  created_by: string;
  started_at: number;
  finished_at: number | null;
}

export interface ImportRowTable {
  import_id: string;
  line: number;
  kind: string;
  entity_key: string;
  data: string;
}

export interface BopisOrderTable {
  order_id: string;
  order_number: string;
  status: string;
  version: number;
  node_id: string | null;
  priority: number;
  pickup_code: string;
  /** READY orders only: when the expiry timer takes the order back. */
  expires_at: number | null;
  /** The whole BopisOrderState (packages/domain) as JSON. */
  state: string;
  /** The latest RoutingResult (the decision and every candidate's explanation) as JSON. */
  routing: string | null;
  /** JSON array of the nodes whose feed has carried this order (they are told about every change). */
  audience: string;
  payment_status: 'authorised' | 'captured' | 'voided';
  fulfilment?: 'pickup' | 'ship';
  idempotency_key: string | null;
  request_hash: string;
  created_by: string;
  created_at: number;
  updated_at: number;
}

/** A split order as the customer placed it; its parts are `bopis_orders` rows (customer_order_parts). */
export interface CustomerOrderTable {
  order_id: string;
  order_number: string;
  channel: string;
  /** The intake body as placed (BopisOrder JSON). */
  order_body: string;
  /** The split RoutingResult (every part explained) as JSON. */
  routing: string;
  idempotency_key: string | null;
  request_hash: string;
  created_by: string;
  created_at: number;
}

export interface CustomerOrderPartTable {
  order_id: string;
  part_no: number;
  part_order_id: string;
}

export interface SalesChannelTable {
  channel: string;
  allow_split: number;
  updated_by: string;
  updated_at: number;
}

export interface ChannelBufferTable {
  channel: string;
  scope: 'sku' | 'category';
  scope_key: string;
  units: number;
  updated_by: string;
  updated_at: number;
}

export interface NodeDeliveryTermsTable {
  node_id: string;
  zone: string;
  /** Minutes after the node's local midnight. */
  cutoff_minute: number;
  updated_by: string;
  updated_at: number;
}

export interface DeliveryLaneTable {
  from_zone: string;
  to_zone: string;
  transit_days: number;
  /** Minor units of `currency`. */
  cost: number;
  currency: string;
  updated_by: string;
  updated_at: number;
}

export interface BopisOrderTimelineTable {
  order_id: string;
  seq: number;
  at: number;
  kind: string;
  actor: string;
  message: string;
  data: string;
}

export interface BopisReservationTable {
  reservation_id: string;
  order_id: string;
  line_id: string;
  node_id: string;
  created_at: number;
}

export interface BopisRefundTable {
  refund_id: string;
  order_id: string;
  reason: string;
  authorisation_ref: string;
  amount: number;
  currency: string;
  status: 'pending' | 'review';
  message: string;
  exception_id: string | null;
  created_at: number;
}

export interface BopisNotificationTable {
  notification_id: string;
  order_id: string;
  kind: string;
  payload: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  next_attempt_at: number;
  /** A deliverer claimed the row until then (several hub processes on PostgreSQL). */
  lease_until: number | null;
  last_error: string | null;
  last_status_code: number | null;
  created_at: number;
  updated_at: number;
  delivered_at: number | null;
}

/** An HQ alert rule (0022): an exception kind sent to a webhook or e-mail addresses. */
export interface AlertRuleTable {
  rule_id: string;
  name: string;
  exception_type: string;
  min_severity: 'info' | 'warning' | 'critical' | null;
  node_id: string | null;
  channel: 'webhook' | 'email';
  /** The URL, or a JSON array of e-mail addresses. */
  target: string;
  secret: string | null;
  enabled: number;
  version: number;
  created_by: string;
  created_at: number;
  updated_at: number;
}

/** One alert to send, written with the exception that caused it (the alert outbox). */
export interface AlertDeliveryTable {
  delivery_id: string;
  rule_id: string;
  rule_name: string;
  exception_id: string;
  exception_type: string;
  channel: 'webhook' | 'email';
  target: string;
  payload: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  next_attempt_at: number;
  lease_until: number | null;
  last_error: string | null;
  last_status_code: number | null;
  created_at: number;
  updated_at: number;
  delivered_at: number | null;
}

/** A receipt a till asked the hub to e-mail (0026), delivered through the leased outbox queue. */
export interface ReceiptEmailTable {
  email_id: string;
  node_id: string;
  device_id: string;
  receipt_number: string;
  recipient: string;
  requested_at: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  next_attempt_at: number;
  lease_until: number | null;
  last_error: string | null;
  last_status_code: number | null;
  created_at: number;
  updated_at: number;
  delivered_at: number | null;
}

/** One canonical event of the outbound integration log (integration/outbound-log.ts). Append-only. */
export interface IntegrationEventTable {
  seq: number;
  event_id: string;
  type: string;
  schema_version: number;
  aggregate_type: string;
  aggregate_id: string;
  node_id: string | null;
  /** The store's local date of the fact (sales, returns, shifts, stock documents), for the journal. */
  business_date: string | null;
  source_event_id: string | null;
  occurred_at: number;
  recorded_at: number;
  data: string;
}

export interface IntegrationSubscriptionTable {
  subscription_id: string;
  name: string;
  url: string;
  secret: string;
  /** JSON array of event types and `family.*` patterns; empty means every type. */
  types: string;
  status: 'active' | 'paused';
  /** Log position up to which events were queued as deliveries. */
  scan_position: number;
  max_attempts: number;
  max_lag_seconds: number;
  created_by: string;
  created_at: number;
  updated_at: number;
  /** Bumped by every HQ edit; an edit names the version it was made on (migration 0024). */
  version: number;
}

export interface IntegrationDeliveryTable {
  subscription_id: string;
  seq: number;
  event_id: string;
  /** `<aggregate type>:<aggregate id>`: deliveries of one aggregate go out one at a time, in seq order. */
  aggregate_key: string;
  /** `dead`: out of attempts, holds back its aggregate; `skipped`: an operator let the aggregate go on. */
  status: 'pending' | 'delivered' | 'dead' | 'skipped';
  attempts: number;
  next_attempt_at: number;
  lease_until: number | null;
  last_error: string | null;
  last_status_code: number | null;
  created_at: number;
  delivered_at: number | null;
}

export interface HubLeaseTable {
  name: string;
  holder: string;
  until: number;
}

export interface IntegrationJournalDayTable {
  node_id: string;
  business_date: string;
  /** Highest log position of a financial event of this store and day. */
  last_event_seq: number;
  /** Highest position the last published journal of the day covered. */
  journaled_seq: number;
  /** 1 while events of the day are not in a published journal yet. */
  pending: number;
  /** Revisions published so far (0: none yet). */
  revision: number;
  /** Digest of the event ids the last revision covered: an unchanged set is not published again. */
  covered_digest: string | null;
  published_at: number | null;
  /** When the first event no published revision covers arrived (recorded_at); null when none waits. */
  pending_since: number | null;
  /** When the last such event arrived: a late revision settles after this. */
  last_arrival_at: number | null;
}

export interface PurchaseOrderTable {
  purchase_order_id: string;
  po_number: string;
  supplier: string;
  node_id: string;
  status: 'open' | 'partially_received' | 'received' | 'cancelled';
  expected_at: number | null;
  created_by: string;
  created_at: number;
  updated_at: number;
}

export interface PurchaseOrderLineTable {
  purchase_order_id: string;
  sku: string;
  ordered: number;
  received: number;
}

export interface ShippingNoticeTable {
  asn_id: string;
  asn_number: string;
  purchase_order_id: string | null;
  supplier: string;
  node_id: string;
  status: 'open' | 'received' | 'received_with_variance' | 'cancelled';
  expected_at: number | null;
  created_by: string;
  created_at: number;
  updated_at: number;
}

export interface ShippingNoticeLineTable {
  asn_id: string;
  sku: string;
  expected: number;
  received: number;
}

export interface HubDatabase {
  hub_meta: HubMetaTable;
  hub_counters: HubCounterTable;
  reference_versions: ReferenceVersionTable;
  nodes: NodeTable;
  devices: DeviceTable;
  enrollment_codes: EnrollmentCodeTable;
  hq_users: HqUserTable;
  sessions: SessionTable;
  api_keys: ApiKeyTable;
  categories: CategoryTable;
  products: ProductTable;
  skus: SkuTable;
  barcodes: BarcodeTable;
  tax_rates: TaxRateTable;
  price_books: PriceBookTable;
  price_entries: PriceEntryTable;
  promotions: PromotionTable;
  entity_versions: EntityVersionTable;
  customers: CustomerTable;
  loyalty_accounts: LoyaltyAccountTable;
  loyalty_entries: LoyaltyEntryTable;
  stored_value_accounts: StoredValueAccountTable;
  stored_value_entries: StoredValueEntryTable;
  stored_value_aliases: StoredValueAliasTable;
  loyalty_config: LoyaltyConfigTable;
  inventory_movements: MovementTable;
  stock_balances: StockBalanceTable;
  reservations: ReservationTable;
  reservation_history: ReservationHistoryTable;
  ingested_events: IngestedEventTable;
  sales: SaleTable;
  returns: ReturnTable;
  shifts: ShiftTable;
  store_staff: StoreStaffTable;
  store_created_staff: StoreCreatedStaffTable;
  staff_role_doubts: StaffRoleDoubtTable;
  hq_staff: HqStaffTable;
  hq_audit: HqAuditTable;
  hq_settings: HqSettingTable;
  hq_settings_head: HqSettingsHeadTable;
  hq_settings_history: HqSettingHistoryTable;
  loyalty_programme_history: LoyaltyProgrammeHistoryTable;
  card_references: CardReferenceTable;
  held_points: HeldPointsTable;
  held_credits: HeldCreditTable;
  store_credit_issued: StoreCreditIssuedTable;
  transfers: TransferTable;
  hq_transfer_numbers: HqTransferNumberTable;
  exceptions: ExceptionTable;
  live_changes: LiveChangeTable;
  feed_changes: FeedChangeTable;
  import_jobs: ImportJobTable;
  import_rows: ImportRowTable;
  bopis_orders: BopisOrderTable;
  bopis_order_timeline: BopisOrderTimelineTable;
  bopis_reservations: BopisReservationTable;
  bopis_refunds: BopisRefundTable;
  bopis_notifications: BopisNotificationTable;
  alert_rules: AlertRuleTable;
  receipt_emails: ReceiptEmailTable;
  alert_deliveries: AlertDeliveryTable;
  customer_orders: CustomerOrderTable;
  customer_order_parts: CustomerOrderPartTable;
  sales_channels: SalesChannelTable;
  channel_buffers: ChannelBufferTable;
  node_delivery_terms: NodeDeliveryTermsTable;
  delivery_lanes: DeliveryLaneTable;
  integration_events: IntegrationEventTable;
  integration_subscriptions: IntegrationSubscriptionTable;
  integration_deliveries: IntegrationDeliveryTable;
  hub_leases: HubLeaseTable;
  integration_journal_days: IntegrationJournalDayTable;
  purchase_orders: PurchaseOrderTable;
  purchase_order_lines: PurchaseOrderLineTable;
  shipping_notices: ShippingNoticeTable;
  shipping_notice_lines: ShippingNoticeLineTable;
  order_payments: OrderPaymentTable;
  payment_operations: PaymentOperationTable;
  payment_webhook_events: PaymentWebhookEventTable;
  order_returns: OrderReturnTable;
  payment_settlements: PaymentSettlementTable;
}

export interface OrderPaymentTable {
  order_id: string;
  provider: string;
  intent_id: string;
  currency: string;
  authorised: number;
  captured: number;
  refunded: number;
  status: 'authorised' | 'captured' | 'cancelled' | 'failed';
  created_at: number;
  updated_at: number;
}

export interface PaymentOperationTable {
  operation_id: string;
  order_id: string;
  kind: 'capture' | 'cancel' | 'refund';
  amount: number;
  reason: string;
  status: 'pending' | 'succeeded' | 'failed';
  attempts: number;
  next_attempt_at: number;
  lease_until: number | null;
  provider_ref: string | null;
  last_error: string | null;
  created_at: number;
  done_at: number | null;
}

/** What one order or split part settled; the provider call waits for every part (migration 0020). */
export interface PaymentSettlementTable {
  order_id: string;
  /** The order holding the payment record: the order itself, or the customer order of a split part. */
  payment_order_id: string;
  action: 'capture' | 'void';
  amount: number;
  settled_at: number;
}

export interface PaymentWebhookEventTable {
  event_id: string;
  provider: string;
  type: string;
  intent_id: string | null;
  received_at: number;
}

export interface OrderReturnTable {
  return_id: string;
  order_id: string;
  channel: 'store' | 'mail';
  status: 'authorised' | 'received';
  node_id: string | null;
  /** JSON: { lines: [{ lineId, sku, qty, disposition?, refund }], refund: refund | capture_reduced | manual | null } */
  lines: string;
  refund_amount: number;
  refund_operation_id: string | null;
  idempotency_key: string | null;
  created_by: string;
  created_at: number;
  received_at: number | null;
}
