/**
 * The shapes the admin API answers with, taken from the very zod schemas its routes validate with.
 * Type-only imports: nothing of the server reaches the browser bundle, but a changed schema fails the
 * dashboard's typecheck instead of a screen at runtime.
 */
import type { z } from 'zod';
import type { HqUserSchema } from '../../auth/users';
import type { DeviceStatus } from '../../auth/devices';
import type { ApiKey, ApiKeyScope } from '../../auth/api-keys';
import type { Transfer } from '../../inventory/stock-operations';
import type { ExceptionType, HubException } from '../../exceptions/exception-queue';
import type { LiveChange } from '../../live/live-changes';
import type { StoreNode } from '@retail/sync';
import type { InventoryLevel, NetworkAtpView } from '../../inventory/stock-levels';
import type { Reservation } from '../../inventory/reservations';
import type { NotificationView } from '../../orders/notification-outbox';
import type { OrderSummary, OrderView } from '../../orders/order-records';
import type {
  EntityVersionSchema,
  PriceBookChangeSchema,
  PromotionInputSchema,
} from '../../pricing/pricing-store';
import type { PriceBookPreview } from '../../pricing/price-book-preview';
import type { PromotionPreview } from '../../pricing/promotion-preview';
import type { AuditEntry } from '../../audit/hq-audit';
import type { AlertDelivery, AlertRule, AlertRuleInput } from '../../alerts/alert-rules';
import type { StoredValueAccountRow, StoredValueLedgerPage } from '../../loyalty/stored-value-report';
import type { SalesReportRow } from '../../reports/sales-report';
import type { AnalyticsTable, SalesAnalytics } from '../../reports/sales-analytics';
import type { CreateStaff, HqStaff, UpdateStaff } from '../../staff/hq-staff';
import type { StoreCreatedStaff } from '../../staff/store-created-staff';
import type {
  EffectiveSettings,
  PutSetting,
  Setting,
  SettingScope,
  SettingsListSchema,
} from '../../settings/hq-settings';
import type {
  CatalogItem,
  CatalogItemInput,
  CatalogItemPageSchema,
  CatalogOptionsSchema,
} from '../../catalog/catalog-items';
import type { ImportError, ImportReport } from '../../catalog/import-report';
import type { BopisStatus, PriceBook, PriceEntry, Promotion, RoutingResult, Sku } from '@retail/domain';

export type HqUser = z.infer<typeof HqUserSchema>;
export type HqRole = HqUser['role'];
export type EntityVersion = z.infer<typeof EntityVersionSchema>;
export type SettingsList = z.infer<typeof SettingsListSchema>;
export type PromotionInput = z.input<typeof PromotionInputSchema>;
export type PriceBookChange = z.input<typeof PriceBookChangeSchema>;
export interface PriceBookPage {
  readonly book: PriceBook;
  readonly entries: PriceEntry[];
}
export type CatalogItemPage = z.infer<typeof CatalogItemPageSchema>;
export type CatalogOptions = z.infer<typeof CatalogOptionsSchema>;

export type {
  CatalogItem,
  CatalogItemInput,
  ImportError,
  ImportReport,
  ApiKey,
  ApiKeyScope,
  Transfer,
  AlertDelivery,
  AlertRule,
  AlertRuleInput,
  StoredValueAccountRow,
  StoredValueLedgerPage,
  AuditEntry,
  BopisStatus,
  CreateStaff,
  EffectiveSettings,
  PutSetting,
  Setting,
  SettingScope,
  HqStaff,
  StoreCreatedStaff,
  UpdateStaff,
  DeviceStatus,
  ExceptionType,
  HubException,
  InventoryLevel,
  LiveChange,
  NetworkAtpView,
  NotificationView,
  OrderSummary,
  OrderView,
  PriceBook,
  PriceBookPreview,
  PriceEntry,
  Promotion,
  PromotionPreview,
  Reservation,
  RoutingResult,
  SalesReportRow,
  SalesAnalytics,
  AnalyticsTable,
  Sku,
  StoreNode,
};

export interface LoginAnswer {
  readonly token: string;
  readonly expiresAt: number;
  readonly user: HqUser;
}

export interface SkuInventory {
  readonly sku: string;
  readonly levels: InventoryLevel[];
  readonly network: NetworkAtpView;
  readonly reservations: Reservation[];
}

export interface LedgerEntry {
  readonly movementId: string;
  readonly nodeId: string;
  readonly sku: string;
  readonly type: string;
  readonly bucket: string;
  readonly delta: number;
  readonly reason: string | null;
  readonly sourceDoc: string | null;
  readonly eventId: string | null;
  readonly actor: string;
  readonly recordedAt: number;
}

export interface EnrollmentCode {
  readonly code: string;
  readonly nodeId: string;
  readonly nodeCode: string;
  readonly expiresAt: number;
}

/** The roles in rising order of what they may do (as the hub's `roleAtLeast`). */
export const HQ_ROLE_ORDER: readonly HqRole[] = ['viewer', 'operator', 'admin'];

export function roleAtLeast(role: HqRole, required: HqRole): boolean {
  return HQ_ROLE_ORDER.indexOf(role) >= HQ_ROLE_ORDER.indexOf(required);
}

/** A webhook subscription as GET /api/integration/subscriptions shows it (integration/subscriptions.ts). */
export interface IntegrationSubscription {
  readonly subscriptionId: string;
  readonly name: string;
  readonly url: string;
  readonly types: readonly string[];
  readonly status: 'active' | 'paused';
  readonly position: number;
  readonly maxAttempts: number;
  readonly maxLagSeconds: number;
  readonly createdBy: string;
  readonly createdAt: number;
  readonly pending: number;
  readonly deadLetters: number;
  readonly failing: number;
  readonly lagEvents: number;
  readonly oldestUndeliveredAt: number | null;
  readonly lastDeliveredAt: number | null;
  readonly lastError: string | null;
  /** What an edit names as the version it was made on. */
  readonly version: number;
}

/** What the dashboard edits of a webhook endpoint (PATCH /api/integration/subscriptions/:id). */
export interface SubscriptionEdit {
  readonly name?: string;
  readonly url?: string;
  readonly types?: readonly string[];
  readonly status?: 'active' | 'paused';
}

/** A stock bucket HQ adjusts by hand. */
export type AdjustableBucket = 'sellable' | 'damaged' | 'quality_control';
