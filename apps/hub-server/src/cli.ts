import { createReadStream, existsSync } from 'node:fs';
import { extname } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { isDomainError } from '@retail/domain';
import { buildApp, createLogger } from './api/app';
import { createEnrollmentCode } from './auth/devices';
import { CreateUserSchema, createUser, purgeExpiredSessions } from './auth/users';
import { importCatalog } from './catalog/catalog-import';
import { createHubContext } from './hub-context';
import { releaseExpiredHolds } from './inventory/reservations';
import { NodeInputSchema, createNode, findNodeByCode } from './nodes/nodes';
import { startLoyaltyRuntime } from './loyalty/loyalty-runtime';
import { startIntegrationRuntime } from './integration/integration-runtime';
import { createSmtpMailer } from './integration/mailer';
import { PullQuerySchema, pullEvents } from './integration/pull';
import { DEFAULT_RETRY_POLICY } from './integration/delivery-engine';
import { DEFAULT_JOURNAL_POLICY } from './integration/journal';
import { startBopisRuntime } from './orders/bopis-runtime';
import { settleWaitingStaff } from './staff/store-created-staff';
import { startPaymentRuntime } from './payments/payment-outbox';
import { createStripeProvider } from './payments/stripe-adapter';
import { DEFAULT_BOPIS_SETTINGS, type BopisSettings } from './orders/order-change';
import { backupHub, restoreHub } from './storage/hub-backup';
import { describeDatabaseUrl, openStorage, rotateFeedEpoch } from './storage/storage';
import { readSecret, SecretInputError } from './secret-input';
import { DEFAULT_CATCH_UP_ADMISSION } from './sync/admission';
import { checkFeedRestore, defaultFeedMarkerPath, FeedMarkerWriter } from './sync/feed-marker';

const HELP = `pos-hub — the retail hub (inventory authority, change feed, admin API)

Usage:
  pos-hub serve [--db PATH|URL] [--port N] [--host ADDR] [--log-level LEVEL]
                [--webhook-url URL] [--webhook-secret-file FILE] [--pickup-hold-hours N]
                [--pickup-grace-minutes N] [--offline-after-minutes N] [--max-catch-ups N]
                [--feed-marker FILE] [--metrics-token-file FILE] [--webhook-retry-base-ms N]
                [--webhook-retry-max-ms N] [--integration-lease-seconds N] [--journal-grace-minutes N]
                [--stripe-key-file FILE] [--stripe-webhook-secret-file FILE] [--stripe-base-url URL]
  pos-hub import-catalog FILE [--db …] [--format csv|json] [--dry-run]
  pos-hub enroll-code --store CODE [--db …] [--ttl-minutes N]
  pos-hub create-user --username NAME --role admin|operator|viewer [--db …] [--password-file FILE]
                      (password from --password-file, POS_HUB_USER_PASSWORD or stdin)
  pos-hub create-node --code CODE --name NAME --region R --jurisdiction J --currency CUR
                      [--kind store|warehouse] [--pickup] [--pick-capacity N] [--timezone TZ] [--db …]
  pos-hub integration tail [--types T,…] [--after CURSOR | --since TIME] [--limit N] [--follow] [--db …]
                      (the outbound event log as JSON lines; the cursor to resume from on stderr)
  pos-hub backup --out FILE [--db …] [--pg-bin DIR]
                      (a consistent copy while serve runs: SQLite's online backup, or pg_dump -Fc)
  pos-hub restore --from FILE [--db …] [--feed-marker FILE] [--keep-dir DIR] [--pg-bin DIR]
                      (every serve on the database stopped first; keeps what it replaces, starts a new
                       feed epoch; tills re-send what the backup lacks. See docs/hub-backup.md)
  pos-hub rotate-feed-epoch [--db …]   (every store re-snapshots; serve also does it by itself when it
                                        finds the database behind its feed marker, i.e. restored)
  pos-hub --help

Database (--db, or POS_HUB_DB): a file path for SQLite (default ./data/hub.db, WAL, synchronous=FULL;
created readable by its owner only) or a postgres://user@host:port/database URL (put the password in
PGPASSWORD or ~/.pgpass, or the whole URL in POS_HUB_DB, not on the command line). Migrations run on start.

Secrets never need to be flags, which every user of the machine can read in ps: each comes from a file
(--…-file FILE, first line) or an environment variable.

Sync (serve): tills connect to the socket.io namespace /sync (or the /sync/* HTTP endpoints) with
their device credential. --max-catch-ups (default 4) limits snapshots and far-behind pulls served at
once; the rest are told to retry. --feed-marker (default: next to the SQLite file, or in ./data for
PostgreSQL) remembers the feed head; a database found behind it was restored from a backup, and serve
starts a new feed epoch so every till re-snapshots.

Metrics (serve): GET /metrics asks for Authorization: Bearer TOKEN when a token is set
(--metrics-token-file FILE or POS_HUB_METRICS_TOKEN, at least 16 characters; --metrics-token TOKEN works
but shows in ps). Without a token it is served only while the hub listens on a loopback address.

BOPIS (serve): customer notifications are POSTed to --webhook-url, signed with HMAC-SHA256 using the
secret from --webhook-secret-file or POS_HUB_WEBHOOK_SECRET (required with --webhook-url). Orders without their own policy are held --pickup-hold-hours (72)
plus --pickup-grace-minutes (60) once ready; stores whose tills have been silent for
--offline-after-minutes (5) are not offered new orders.

Payments (serve): with a Stripe secret key (--stripe-key-file or POS_HUB_STRIPE_SECRET_KEY) and its
webhook signing secret (--stripe-webhook-secret-file or POS_HUB_STRIPE_WEBHOOK_SECRET), orders placed with
payment.paymentMethod are authorised at intake, captured when their goods leave, cancelled or refunded;
Stripe's events arrive at POST /webhooks/payments/stripe. --stripe-base-url (https://api.stripe.com) points
the adapter elsewhere (a local fake in tests).

Integration (serve): webhook subscriptions (POST /api/integration/subscriptions) and customer
notifications are delivered by the one hub process holding the integration lease
(--integration-lease-seconds, 30; a standby takes over when it lapses), retried from
--webhook-retry-base-ms (1000) doubling to --webhook-retry-max-ms (1800000). A store's journal goes out
--journal-grace-minutes (120) after its local midnight. See docs/integration.md.

Alerts (serve): alert rules (POST /api/alerts/rules, or the dashboard's Alerts screen) send new exceptions
to a signed webhook or by e-mail, delivered by the same process and retried like webhooks. E-mail goes
through --smtp-host (none: e-mail alerts fail visibly) on --smtp-port (587; --smtp-secure for TLS from
the start, port 465), as --smtp-from, logging in as --smtp-user with the password from
--smtp-password-file or POS_HUB_SMTP_PASSWORD. The same server sends the receipt e-mails tills ask
for (without one they wait, GET /api/receipt-emails).

Examples:
  echo 'a long password' | pos-hub create-user --username alice --role admin
  pos-hub create-node --code S001 --name "Main St" --region north --jurisdiction US-NY --currency USD --pickup
  pos-hub enroll-code --store S001
  pos-hub import-catalog ./catalog.csv
  pos-hub serve --port 8080
`;

class UsageError extends Error {}

const common = {
  db: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

const DEFAULT_DB = './data/hub.db';

/** --db, else POS_HUB_DB (a PostgreSQL URL with its password stays out of process listings). */
function databaseOf(values: { db?: string | undefined }): string {
  return values.db ?? process.env.POS_HUB_DB ?? DEFAULT_DB;
}

function warn(line: string): void {
  process.stderr.write(`pos-hub: warning: ${line}\n`);
}

function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

function parseOrUsage<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(`--${issue?.path.join('.') ?? '?'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY)
    throw new UsageError(
      'Give the password in --password-file FILE or POS_HUB_USER_PASSWORD, or pipe it on stdin.',
    );
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

async function withHub<T>(
  db: string,
  work: (hub: ReturnType<typeof createHubContext>) => Promise<T>,
): Promise<T> {
  const storage = await openStorage(db);
  try {
    return await work(createHubContext(storage));
  } finally {
    await storage.close();
  }
}

async function serve(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...common,
      port: { type: 'string', default: '8080' },
      host: { type: 'string', default: '127.0.0.1' },
      'log-level': { type: 'string', default: 'info' },
      'webhook-url': { type: 'string' },
      'pickup-hold-hours': { type: 'string', default: String(DEFAULT_BOPIS_SETTINGS.pickupPolicy.holdHours) },
      'pickup-grace-minutes': {
        type: 'string',
        default: String(DEFAULT_BOPIS_SETTINGS.pickupPolicy.graceMinutes),
      },
      'offline-after-minutes': {
        type: 'string',
        default: String(DEFAULT_BOPIS_SETTINGS.offlineAfterMs / 60_000),
      },
      'max-catch-ups': { type: 'string', default: String(DEFAULT_CATCH_UP_ADMISSION.maxConcurrent) },
      'feed-marker': { type: 'string' },
      'webhook-secret-file': { type: 'string' },
      'stripe-key-file': { type: 'string' },
      'stripe-webhook-secret-file': { type: 'string' },
      'stripe-base-url': { type: 'string' },
      'metrics-token': { type: 'string' },
      'metrics-token-file': { type: 'string' },
      'webhook-retry-base-ms': { type: 'string', default: String(DEFAULT_RETRY_POLICY.baseDelayMs) },
      'webhook-retry-max-ms': { type: 'string', default: String(DEFAULT_RETRY_POLICY.maxDelayMs) },
      'integration-lease-seconds': { type: 'string', default: '30' },
      'journal-grace-minutes': {
        type: 'string',
        default: String(DEFAULT_JOURNAL_POLICY.graceMs / 60_000),
      },
      'smtp-host': { type: 'string' },
      'smtp-port': { type: 'string', default: '587' },
      'smtp-secure': { type: 'boolean', default: false },
      'smtp-user': { type: 'string' },
      'smtp-password-file': { type: 'string' },
      'smtp-from': { type: 'string' },
    },
    strict: true,
  });
  const options = parseOrUsage(
    z.object({
      port: z.coerce.number().int().min(0).max(65535),
      host: z.string().min(1),
      'log-level': z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
      db: z.string().min(1),
      'webhook-url': z.url({ protocol: /^https?$/, error: 'Give an http(s) URL.' }).optional(),
      'stripe-base-url': z.url({ protocol: /^https?$/, error: 'Give an http(s) URL.' }).optional(),
      'pickup-hold-hours': z.coerce.number().int().min(1).max(720),
      'pickup-grace-minutes': z.coerce.number().int().min(0).max(1440),
      'offline-after-minutes': z.coerce
        .number()
        .int()
        .min(1)
        .max(24 * 60),
      'max-catch-ups': z.coerce.number().int().min(1).max(1000),
      'feed-marker': z.string().min(1).optional(),
      'webhook-retry-base-ms': z.coerce.number().int().min(10).max(3_600_000),
      'webhook-retry-max-ms': z.coerce
        .number()
        .int()
        .min(10)
        .max(24 * 3_600_000),
      'integration-lease-seconds': z.coerce.number().int().min(2).max(3600),
      'journal-grace-minutes': z.coerce
        .number()
        .int()
        .min(0)
        .max(7 * 24 * 60),
      'smtp-host': z.string().min(1).max(255).optional(),
      'smtp-port': z.coerce.number().int().min(1).max(65535),
      'smtp-secure': z.boolean(),
      'smtp-user': z.string().min(1).max(255).optional(),
      'smtp-from': z
        .email({ error: 'Give the sender of alert e-mails (--smtp-from) as an address.' })
        .optional(),
    }),
    { ...values, db: databaseOf(values) },
  );
  const secret = readSecret(
    {
      file: { name: '--webhook-secret-file', value: values['webhook-secret-file'] },
      env: { name: 'POS_HUB_WEBHOOK_SECRET', value: process.env.POS_HUB_WEBHOOK_SECRET },
    },
    warn,
  );
  if (options['webhook-url'] !== undefined && (secret === undefined || secret.length < 16)) {
    throw new UsageError(
      'Give the webhook signing secret (at least 16 characters) in --webhook-secret-file or POS_HUB_WEBHOOK_SECRET.',
    );
  }
  const stripeKey = readSecret(
    {
      file: { name: '--stripe-key-file', value: values['stripe-key-file'] },
      env: { name: 'POS_HUB_STRIPE_SECRET_KEY', value: process.env.POS_HUB_STRIPE_SECRET_KEY },
    },
    warn,
  );
  const stripeWebhookSecret = readSecret(
    {
      file: { name: '--stripe-webhook-secret-file', value: values['stripe-webhook-secret-file'] },
      env: { name: 'POS_HUB_STRIPE_WEBHOOK_SECRET', value: process.env.POS_HUB_STRIPE_WEBHOOK_SECRET },
    },
    warn,
  );
  if ((stripeKey === undefined) !== (stripeWebhookSecret === undefined)) {
    throw new UsageError(
      'Give both the Stripe secret key and its webhook signing secret, or neither (payments then stay instructions on the timeline).',
    );
  }
  const payments =
    stripeKey === undefined || stripeWebhookSecret === undefined
      ? undefined
      : createStripeProvider({
          secretKey: stripeKey,
          webhookSecret: stripeWebhookSecret,
          ...(options['stripe-base-url'] === undefined ? {} : { baseUrl: options['stripe-base-url'] }),
        });
  const metricsToken = readSecret(
    {
      flag: { name: '--metrics-token', value: values['metrics-token'] },
      file: { name: '--metrics-token-file', value: values['metrics-token-file'] },
      env: { name: 'POS_HUB_METRICS_TOKEN', value: process.env.POS_HUB_METRICS_TOKEN },
    },
    warn,
  );
  if (metricsToken !== undefined && metricsToken.length < 16) {
    throw new UsageError('The metrics token needs at least 16 characters.');
  }
  const smtpPassword = readSecret(
    {
      file: { name: '--smtp-password-file', value: values['smtp-password-file'] },
      env: { name: 'POS_HUB_SMTP_PASSWORD', value: process.env.POS_HUB_SMTP_PASSWORD },
    },
    warn,
  );
  if (options['smtp-host'] !== undefined && options['smtp-from'] === undefined) {
    throw new UsageError(
      'Give the sender of alert e-mails with --smtp-from (an address the server accepts).',
    );
  }
  const mailer =
    options['smtp-host'] === undefined
      ? undefined
      : createSmtpMailer({
          host: options['smtp-host'],
          port: options['smtp-port'],
          secure: options['smtp-secure'],
          from: options['smtp-from'] as string,
          ...(options['smtp-user'] === undefined ? {} : { user: options['smtp-user'] }),
          ...(smtpPassword === undefined ? {} : { password: smtpPassword }),
        });
  const settings: BopisSettings = {
    offlineAfterMs: options['offline-after-minutes'] * 60_000,
    pickupPolicy: {
      holdHours: options['pickup-hold-hours'],
      graceMinutes: options['pickup-grace-minutes'],
    },
  };
  const logger = createLogger({ level: options['log-level'] });
  const storage = await openStorage(options.db);
  const { kind, location } = describeDatabaseUrl(options.db);
  // Before serving anyone: a database behind the feed marker was restored and needs a new epoch.
  const markerPath = options['feed-marker'] ?? defaultFeedMarkerPath(options.db);
  const restore = await checkFeedRestore(storage, markerPath, location);
  if (restore.restored) {
    logger.warn(
      { epoch: restore.epoch, head: restore.head, markerHead: restore.markerHead, markerPath },
      'the feed is behind the last head this hub saw: the database was restored from a backup, so a new feed epoch starts and every till re-snapshots',
    );
  }
  const marker = new FeedMarkerWriter(storage, markerPath, {
    database: location,
    epoch: restore.epoch,
    head: restore.head,
    previousEpochs: restore.previousEpochs,
  });
  const hub = createHubContext(storage);
  if (metricsToken === undefined && !isLoopbackHost(options.host)) {
    logger.warn(
      { host: options.host },
      'GET /metrics is refused on this address until a metrics token is set (--metrics-token-file or POS_HUB_METRICS_TOKEN)',
    );
  }
  const { app } = await buildApp({
    hub,
    logger,
    ...(metricsToken === undefined ? {} : { metricsToken }),
    orders: { settings, ...(payments === undefined ? {} : { payments }) },
    ...(payments === undefined ? {} : { payments: { provider: payments } }),
    sync: { admission: { ...DEFAULT_CATCH_UP_ADMISSION, maxConcurrent: options['max-catch-ups'] } },
  });
  const address = await app.listen({ port: options.port, host: options.host });
  logger.info({ address, database: kind, location }, `pos-hub listening on ${address}`);

  // Checkout holds lapse on their own; the sweep gives their units back to ATP and drops dead sessions,
  // and settles staff claims a process stopped before re-checking (settleWaitingStaff).
  const sweeper = setInterval(() => {
    releaseExpiredHolds(hub)
      .then(() => purgeExpiredSessions(hub))
      .then(() => settleWaitingStaff(hub))
      .catch((error: unknown) => logger.error({ err: error }, 'sweep failed'));
  }, 5000);
  sweeper.unref();
  // Oversell resolution, short-pick re-routing and pickup expiry.
  const bopis = startBopisRuntime(hub, { settings, logger });
  // Captures, cancels and refunds decided by order changes, sent to the provider (retried, idempotent).
  const paymentRuntime = payments === undefined ? undefined : startPaymentRuntime(hub, payments, { logger });
  // Webhook subscriptions and customer notifications, through the one delivery engine, run by whichever
  // hub process holds the integration lease.
  const integration = startIntegrationRuntime(hub, {
    retry: { baseDelayMs: options['webhook-retry-base-ms'], maxDelayMs: options['webhook-retry-max-ms'] },
    leaseMs: options['integration-lease-seconds'] * 1000,
    journal: { ...DEFAULT_JOURNAL_POLICY, graceMs: options['journal-grace-minutes'] * 60_000 },
    alerts: { mailer },
    receiptEmails: { mailer },
    ...(options['webhook-url'] === undefined
      ? {}
      : { notifications: { url: options['webhook-url'], secret: secret as string } }),
    logger,
  });
  // Points becoming usable after the return window, expiring, and redemption holds timing out.
  const loyalty = startLoyaltyRuntime(hub, { logger });
  if (options['webhook-url'] === undefined) {
    logger.warn({}, 'No --webhook-url: customer notifications wait in the outbox (GET /api/notifications).');
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'pos-hub stopping');
    clearInterval(sweeper);
    await bopis.stop();
    await paymentRuntime?.stop();
    await integration.stop();
    mailer?.close();
    await loyalty.stop();
    await app.close();
    await marker.close();
    await storage.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

async function importCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { ...common, format: { type: 'string' }, 'dry-run': { type: 'boolean', default: false } },
    allowPositionals: true,
    strict: true,
  });
  const file = positionals[0];
  if (file === undefined || positionals.length > 1) throw new UsageError('Give exactly one FILE to import.');
  if (!existsSync(file)) throw new UsageError(`There is no file ${file}.`);
  const format = parseOrUsage(
    z.enum(['csv', 'json']),
    values.format ?? (extname(file).toLowerCase() === '.csv' ? 'csv' : 'json'),
  );
  const report = await withHub(databaseOf(values), (hub) =>
    importCatalog(hub, createReadStream(file), {
      format,
      actor: 'cli',
      dryRun: values['dry-run'],
      onProgress: ({ rowsRead, phase }) => process.stderr.write(`\r${phase}: ${rowsRead} rows`),
    }),
  );
  process.stderr.write('\n');
  console.log(JSON.stringify(report, null, 2));
  if (report.status !== 'completed') process.exitCode = 1;
}

async function enrollCode(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { ...common, store: { type: 'string' }, 'ttl-minutes': { type: 'string', default: '1440' } },
    strict: true,
  });
  const options = parseOrUsage(
    z.object({
      store: z.string().min(1, 'Say which store: --store CODE'),
      'ttl-minutes': z.coerce.number().int().min(1).max(10080),
    }),
    { store: values.store ?? '', 'ttl-minutes': values['ttl-minutes'] },
  );
  const code = await withHub(databaseOf(values), async (hub) => {
    const node = await findNodeByCode(hub.storage.db, options.store);
    return createEnrollmentCode(hub, node.nodeId, 'cli', options['ttl-minutes'] * 60_000);
  });
  console.log(JSON.stringify({ ...code, expiresAt: new Date(code.expiresAt).toISOString() }, null, 2));
}

async function createUserCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...common,
      username: { type: 'string' },
      role: { type: 'string' },
      'password-file': { type: 'string' },
    },
    strict: true,
  });
  const password =
    readSecret(
      {
        file: { name: '--password-file', value: values['password-file'] },
        env: { name: 'POS_HUB_USER_PASSWORD', value: process.env.POS_HUB_USER_PASSWORD },
      },
      warn,
    ) ?? (await readStdin());
  const input = parseOrUsage(CreateUserSchema, { username: values.username, role: values.role, password });
  const user = await withHub(databaseOf(values), (hub) => createUser(hub, input));
  console.log(JSON.stringify(user, null, 2));
}

async function createNodeCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...common,
      code: { type: 'string' },
      name: { type: 'string' },
      region: { type: 'string' },
      jurisdiction: { type: 'string' },
      currency: { type: 'string' },
      kind: { type: 'string', default: 'store' },
      pickup: { type: 'boolean', default: false },
      'pick-capacity': { type: 'string', default: '0' },
      timezone: { type: 'string', default: 'UTC' },
    },
    strict: true,
  });
  const input = parseOrUsage(NodeInputSchema, {
    code: values.code,
    name: values.name,
    kind: values.kind,
    region: values.region,
    jurisdiction: values.jurisdiction,
    currency: values.currency,
    pickupEnabled: values.pickup,
    pickCapacity: Number(values['pick-capacity']),
    timezone: values.timezone,
  });
  const node = await withHub(databaseOf(values), (hub) => createNode(hub, input));
  console.log(JSON.stringify(node, null, 2));
}

async function backupCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { ...common, out: { type: 'string' }, 'pg-bin': { type: 'string' } },
    strict: true,
  });
  if (values.out === undefined)
    throw new UsageError('--out FILE is required (a new file; backups never overwrite).');
  const result = await backupHub(databaseOf(values), values.out, { pgBin: values['pg-bin'] });
  console.log(JSON.stringify(result, null, 2));
}

async function restoreCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...common,
      from: { type: 'string' },
      'feed-marker': { type: 'string' },
      'keep-dir': { type: 'string' },
      'pg-bin': { type: 'string' },
    },
    strict: true,
  });
  if (values.from === undefined) throw new UsageError('--from FILE is required (a pos-hub backup).');
  const db = databaseOf(values);
  const result = await restoreHub(db, values.from, {
    markerPath: values['feed-marker'] ?? defaultFeedMarkerPath(db),
    pgBin: values['pg-bin'],
    keepDir: values['keep-dir'],
  });
  console.log(JSON.stringify(result, null, 2));
}

async function rotateEpochCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { ...common }, strict: true });
  const epoch = await withHub(databaseOf(values), (hub) => rotateFeedEpoch(hub.storage.db));
  console.log(JSON.stringify({ feedEpoch: epoch }, null, 2));
}

/**
 * Prints the outbound log (docs/integration.md) as one JSON event per line: what a connector would
 * receive, for an operator checking what left the hub. Stops when up to date unless --follow.
 */
async function integrationCommand(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub !== 'tail') throw new UsageError('Usage: pos-hub integration tail [--types T,…] [--after CURSOR]');
  const { values } = parseArgs({
    args: rest,
    options: {
      ...common,
      types: { type: 'string' },
      after: { type: 'string' },
      since: { type: 'string' },
      limit: { type: 'string' },
      follow: { type: 'boolean', default: false },
      'interval-ms': { type: 'string', default: '1000' },
    },
    strict: true,
  });
  const query = parseOrUsage(
    PullQuerySchema.extend({ limit: z.coerce.number().int().min(1).max(1_000_000).optional() }),
    {
      after: values.after,
      since: values.since,
      types: values.types,
      limit: values.limit,
    },
  );
  const interval = Number(values['interval-ms']);
  if (!Number.isInteger(interval) || interval < 50) throw new UsageError('--interval-ms: at least 50');
  let stopped = false;
  const stop = () => {
    stopped = true;
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await withHub(databaseOf(values), async (hub) => {
    let remaining = query.limit ?? Infinity;
    let cursor = query.after;
    let since = query.since;
    let printed = 0;
    while (!stopped && remaining > 0) {
      const page = await pullEvents(
        hub.storage.db,
        { ...query, after: cursor, since, limit: Math.min(1000, remaining) },
        hub.now(),
      );
      for (const event of page.events) process.stdout.write(`${JSON.stringify(event)}\n`);
      printed += page.events.length;
      remaining -= page.events.length;
      cursor = page.cursor;
      since = undefined;
      process.stderr.write(`cursor ${cursor}\n`);
      if (!page.upToDate) continue;
      if (!values.follow) break;
      await new Promise((resolve) => setTimeout(resolve, interval));
    }
    if (!values.follow) process.stderr.write(`${printed} events\n`);
  });
}

const COMMANDS: Record<string, (argv: string[]) => Promise<void>> = {
  integration: integrationCommand,
  'rotate-feed-epoch': rotateEpochCommand,
  backup: backupCommand,
  restore: restoreCommand,
  serve,
  'import-catalog': importCommand,
  'enroll-code': enrollCode,
  'create-user': createUserCommand,
  'create-node': createNodeCommand,
};

export async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (
    command === undefined ||
    command === '--help' ||
    command === '-h' ||
    command === 'help' ||
    rest.includes('--help')
  ) {
    console.log(HELP);
    return;
  }
  const run = COMMANDS[command];
  if (run === undefined) throw new UsageError(`Unknown command ${command}. Run pos-hub --help.`);
  await run(rest);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (
    error instanceof UsageError ||
    error instanceof SecretInputError ||
    (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))
  ) {
    console.error(`pos-hub: ${error.message}`);
    process.exit(2);
  }
  if (isDomainError(error)) {
    console.error(`pos-hub: ${error.message}`);
    process.exit(1);
  }
  console.error('pos-hub: unexpected failure', error);
  process.exit(1);
});
