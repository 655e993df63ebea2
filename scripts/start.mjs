#!/usr/bin/env node
// `npm start [-- --fresh] [--electron] [--skus N] [--hub-port N] [--store-port N]`
//
// Starts the product on this machine: a hub (SQLite in .data/demo) and one store node enrolled with it,
// with demo data entered the way HQ would enter it (nodes, price books, a catalog import, promotions,
// stock receipts, an e-commerce API key and one online order), then prints where to open the till and
// the demo PINs. The second start reuses .data/demo; --fresh starts over. With --electron the till opens
// in the Electron shell (its binary is downloaded if missing) instead of only in a browser.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const root = resolve(new URL('..', import.meta.url).pathname);
const { values: options } = parseArgs({
  options: {
    fresh: { type: 'boolean', default: false },
    electron: { type: 'boolean', default: false },
    skus: { type: 'string', default: '5000' },
    'hub-port': { type: 'string', default: process.env.HUB_PORT ?? '7400' },
    'store-port': { type: 'string', default: process.env.STORE_PORT ?? '7420' },
    'no-build': { type: 'boolean', default: false },
    // A mail server for the hub (receipt e-mails and alert rules); none: requests wait, visibly.
    'smtp-host': { type: 'string' },
    'smtp-port': { type: 'string', default: '587' },
    'smtp-from': { type: 'string', default: 'receipts@demo-store.example' },
    data: {
      type: 'string',
      default: join(resolve(new URL('..', import.meta.url).pathname), '.data', 'demo'),
    },
  },
});

// Declared before the first fail() below, which stops them.
const children = [];
const skus = Number(options.skus);
const hubPort = Number(options['hub-port']);
const storePort = Number(options['store-port']);
for (const [flag, value, max] of [
  ['--skus', skus, 2_000_000],
  ['--hub-port', hubPort, 65_535],
  ['--store-port', storePort, 65_535],
]) {
  if (!Number.isInteger(value) || value < 1 || value > max)
    fail(`${flag} must be a whole number from 1 to ${max}.`);
}

const smtpArgs =
  options['smtp-host'] === undefined
    ? []
    : [
        '--smtp-host',
        options['smtp-host'],
        '--smtp-port',
        options['smtp-port'],
        '--smtp-from',
        options['smtp-from'],
      ];

const dataDir = resolve(options.data);
const statePath = join(dataDir, 'demo.json');
const hubDb = join(dataDir, 'hub.db');
const storeData = join(dataDir, 'store-S001');
const hubUrl = `http://127.0.0.1:${hubPort}`;
const hubBin = join(root, 'apps/hub-server/bin/pos-hub.mjs');
const storeBin = join(root, 'apps/pos-desktop/bin/pos-store.mjs');
const STORE_ID = 'store-1';
const DEMO_CARD = '9900000000024';
const DEMO_GIFT_CARD = '6006490000000001';

function fail(message) {
  console.error(`npm start: ${message}`);
  for (const child of children) child.kill('SIGTERM');
  process.exit(1);
}

function say(message) {
  console.log(`npm start: ${message}`);
}

function runOrFail(command, args, { input, quiet = false } = {}) {
  const result = spawnSync(command, args, {
    cwd: root,
    stdio: [input === undefined ? 'inherit' : 'pipe', quiet ? 'ignore' : 'inherit', 'inherit'],
    input,
  });
  if (result.status !== 0) fail(`${[command, ...args].join(' ')} failed (exit ${result.status}).`);
}

function portFree(port) {
  return new Promise((done) => {
    const probe = createServer()
      .once('error', () => done(false))
      .once('listening', () => probe.close(() => done(true)))
      .listen(port, '127.0.0.1');
  });
}

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

async function waitFor(what, check, timeoutMs = 60_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check().catch(() => false)) return;
    await sleep(200);
  }
  fail(`${what} did not come up within ${timeoutMs / 1000} s.`);
}

/**
 * A child whose output is shown with a prefix, and whose early exit ends the demo with its code (or, with
 * `onExit`, is handled there: the hub may stop while the till keeps selling offline).
 */
function startChild(name, args, env = {}, onExit = undefined) {
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env } });
  children.push(child);
  const prefix = (stream, out) => {
    let rest = '';
    stream.on('data', (chunk) => {
      const lines = (rest + chunk.toString()).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) out.write(`[${name}] ${line}\n`);
    });
  };
  prefix(child.stdout, process.stdout);
  prefix(child.stderr, process.stderr);
  child.once('exit', (code, signal) => {
    const index = children.indexOf(child);
    if (index >= 0 && stopping === false && onExit !== undefined) children.splice(index, 1);
    if (stopping) return;
    if (onExit !== undefined) onExit(code, signal);
    else fail(`the ${name} stopped unexpectedly (${signal ?? `exit ${code}`}).`);
  });
  return child;
}

// ---- hub HTTP, as an HQ operator's tools would use it ---------------------------------------------------

async function api(method, path, { token, body, headers = {}, raw } = {}) {
  const response = await fetch(`${hubUrl}${path}`, {
    method,
    headers: {
      accept: 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined && raw === undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
  });
  const answer = await response.json().catch(() => undefined);
  if (!response.ok) {
    const error = answer?.error;
    fail(
      `${method} ${path} was refused (${response.status} ${error?.code ?? ''}): ${error?.message ?? 'no details'}`,
    );
  }
  return answer?.value ?? answer;
}

/** Demo coordinates around one city, so routing explains distances. */
const PLACES = {
  'store-1': { latitude: 48.8566, longitude: 2.3522 },
  'store-2': { latitude: 48.8738, longitude: 2.295 },
  'store-3': { latitude: 48.8339, longitude: 2.3865 },
  'store-4': { latitude: 48.8925, longitude: 2.3444 },
  'warehouse-1': { latitude: 48.7262, longitude: 2.3652 },
};

async function seedHub(state) {
  const fixtureFile = join(dataDir, 'fixture.json');
  runOrFail(
    process.execPath,
    [
      storeBin,
      'fixture',
      '--out',
      fixtureFile,
      '--skus',
      String(skus),
      '--store-id',
      STORE_ID,
      '--now',
      new Date().toISOString(),
    ],
    { quiet: true },
  );
  const fixture = JSON.parse(readFileSync(fixtureFile, 'utf8'));
  const of = (entity) =>
    fixture.changes.filter((change) => change.entity === entity).map((change) => change.data);

  const { token } = await api('POST', '/api/auth/login', {
    body: { username: state.hqUser, password: state.hqPassword },
  });

  for (const node of of('store')) {
    const { version: _version, active: _active, ...input } = node;
    await api('POST', '/api/nodes', { token, body: { ...input, ...PLACES[node.nodeId] } });
  }
  say(`created ${of('store').length} nodes (4 stores, 1 warehouse)`);

  for (const { priceBookId, version: _version, ...book } of of('price_book')) {
    await api('PUT', `/api/price-books/${priceBookId}`, { token, body: { book } });
  }

  const records = [
    ...of('category').map((data) => ({ type: 'category', ...data })),
    ...of('tax_rate').map((data) => ({ type: 'tax_rate', ...data })),
    ...of('product').map((data) => ({ type: 'product', ...data })),
    ...of('sku').map((data) => ({ type: 'sku', ...data })),
    ...of('price').map((data) => ({ type: 'price', ...data })),
  ];
  const report = await api('POST', '/api/catalog/import?format=json', {
    token,
    raw: records.map((record) => JSON.stringify(record)).join('\n'),
    headers: { 'content-type': 'application/x-ndjson' },
  });
  say(`imported the catalog: ${report.rowsValid} records (${skus} SKUs with prices)`);

  for (const { promotionId, version: _version, ...promotion } of of('promotion')) {
    await api('PUT', `/api/promotions/${promotionId}`, { token, body: { promotion } });
  }

  // Stock arrives as supplier deliveries: this store's levels from the fixture, and some of the first SKUs
  // at another store and the warehouse so online orders have somewhere else to go.
  const levels = of('stock_level').filter((level) => level.sellable > 0);
  const deliveries = [
    { nodeId: STORE_ID, lines: levels.map((level) => ({ sku: level.sku, qty: level.sellable })) },
    ...['store-2', 'warehouse-1'].map((nodeId) => ({
      nodeId,
      lines: of('sku')
        .filter((sku) => sku.active && sku.unit === 'each')
        .slice(0, 300)
        .map((sku) => ({ sku: sku.sku, qty: 12 })),
    })),
  ];
  for (const delivery of deliveries) {
    for (let start = 0; start < delivery.lines.length; start += 5000) {
      await api('POST', '/api/receipts', {
        token,
        body: {
          nodeId: delivery.nodeId,
          reference: `DEMO-${delivery.nodeId}-${start / 5000 + 1}`,
          lines: delivery.lines.slice(start, start + 5000),
        },
      });
    }
  }
  say('booked opening stock at store-1, store-2 and the warehouse');

  const { key } = await api('POST', '/api/api-keys', {
    token,
    body: { name: 'Demo web shop', scopes: ['orders:write', 'inventory:read'] },
  });
  state.apiKey = key;

  // One online order for pickup at this store, placed as the web shop would place it.
  const first = levels.find((level) => level.sellable >= 2 && !level.sku.endsWith('0'));
  if (first !== undefined) {
    const order = await api('POST', '/api/orders', {
      token: key,
      headers: { 'idempotency-key': `demo-order-${state.createdAt}` },
      body: {
        orderId: randomUUID(),
        orderNumber: 'W-10001',
        channel: 'web',
        lines: [{ lineId: 'l1', sku: first.sku, qty: 1 }],
        customer: { name: 'Alex Martin', email: 'alex@example.com' },
        pickup: { type: 'store', storeId: STORE_ID },
        payment: { authorisationRef: 'demo-auth-1', amount: 1000, currency: 'EUR' },
      },
    });
    state.demoOrder = { orderNumber: 'W-10001', customer: 'Alex Martin', pickupCode: order.pickupCode };
  }

  // Loyalty as HQ sets it up: 1 point per euro, a point is worth a cent, offline caps; one member with
  // points and one gift card, so the till's customer and tender screens have something to show.
  const eur = (amount) => ({ amount, currency: 'EUR' });
  await api('PUT', '/api/loyalty/programme', {
    token,
    body: {
      programmeId: 'demo-programme',
      currency: 'EUR',
      returnWindowDays: 14,
      pointsExpiryDays: 365,
      pointValue: { points: 1, value: eur(1) },
      holdTtlMs: 600_000,
      offline: { maxSnapshotAgeMs: 86_400_000, perTransactionCapPoints: 500, perDeviceDayCapPoints: 2000 },
      tiers: [
        { tierId: 'member', name: 'Member', earnPoints: 1, earnPerMinor: 100, qualifyingPoints: 0 },
        { tierId: 'gold', name: 'Gold', earnPoints: 2, earnPerMinor: 100, qualifyingPoints: 5000 },
      ],
    },
  });
  await api('PUT', '/api/loyalty/stored-value-settings', {
    token,
    body: {
      currency: 'EUR',
      holdTtlMs: 600_000,
      offline: { maxSnapshotAgeMs: 86_400_000, perTransactionCap: eur(2000), perDeviceDayCap: eur(5000) },
    },
  });
  await api('PUT', '/api/loyalty/default-country-code', { token, body: { countryCode: '33' } });
  const member = await api('POST', '/api/loyalty/customers', {
    token,
    body: {
      name: 'Jordan Member',
      phone: '+33612345678',
      email: 'jordan@example.com',
      cardNumber: DEMO_CARD,
    },
  });
  await api('POST', `/api/loyalty/accounts/${member.account.accountId}/adjustments`, {
    token,
    body: { adjustmentId: `demo-welcome-${state.createdAt}`, points: 1500, reason: 'Welcome bonus' },
  });
  await api('POST', '/api/loyalty/gift-cards', {
    token,
    body: { number: DEMO_GIFT_CARD, issueId: `demo-gift-${state.createdAt}`, amount: 2500, currency: 'EUR' },
  });

  const enrollment = await api('POST', `/api/nodes/${STORE_ID}/enrollment-codes`, { token, body: {} });
  state.enrollCode = enrollment.code;
  writeFileSync(
    join(dataDir, 'staff.json'),
    JSON.stringify({
      format: 'pos-store-fixture',
      version: 1,
      epoch: 'demo-staff',
      changes: [],
      staff: fixture.staff,
    }),
  );
  state.staff = fixture.staff;
  state.seeded = true;
  writeFileSync(statePath, JSON.stringify(state, null, 2), { mode: 0o600 });
}

// ---- main ---------------------------------------------------------------------------------------------

let stopping = false;
function stopAll() {
  if (stopping) return;
  stopping = true;
  say('stopping…');
  for (const child of children) child.kill('SIGTERM');
  // A node finishing its last write gets a moment; one that hangs is not left running behind the demo.
  setTimeout(() => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    process.exit(1);
  }, 15_000).unref();
  void Promise.all(
    children.map(
      (child) => new Promise((done) => (child.exitCode !== null ? done() : child.once('exit', done))),
    ),
  ).then(() => process.exit(0));
}
process.once('SIGINT', stopAll);
process.once('SIGTERM', stopAll);

if (options.fresh) rmSync(dataDir, { recursive: true, force: true });
mkdirSync(dataDir, { recursive: true });
for (const [port, flag] of [
  [hubPort, '--hub-port'],
  [storePort, '--store-port'],
]) {
  if (!(await portFree(port)))
    fail(`port ${port} is taken; choose another with ${flag} N (or stop what uses it).`);
}

if (!options['no-build']) {
  say('building the hub, the store node and the till (turbo caches what did not change)…');
  runOrFail('npx', [
    'turbo',
    'run',
    'build',
    '--filter=@retail/hub-server',
    '--filter=@retail/pos-desktop',
    '--output-logs=errors-only',
  ]);
}

let state = existsSync(statePath) ? JSON.parse(readFileSync(statePath, 'utf8')) : undefined;
if (state === undefined || !state.seeded || !existsSync(hubDb)) {
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  state = { hqUser: 'admin', hqPassword: randomBytes(9).toString('base64url'), createdAt: Date.now() };
  runOrFail(
    process.execPath,
    [hubBin, 'create-user', '--db', hubDb, '--username', state.hqUser, '--role', 'admin'],
    { input: state.hqPassword, quiet: true },
  );
}

// The hub runs on its own: stopping it (the `h` key below, or killing its process) leaves the store node
// selling offline, which is what a store sees when its link to HQ goes down.
let hub = null;
let hubStopRequested = false;
function startHub() {
  hubStopRequested = false;
  hub = startChild(
    'hub',
    [
      hubBin,
      'serve',
      '--db',
      hubDb,
      '--port',
      String(hubPort),
      '--host',
      '127.0.0.1',
      '--log-level',
      'warn',
      ...smtpArgs,
    ],
    {},
    (code, signal) => {
      hub = null;
      say(
        `${hubStopRequested ? 'the hub is stopped' : `the hub stopped (${signal ?? `exit ${code}`})`}: the till keeps selling offline and sends its sales when the hub is back. Press h (then Enter if keys are not read one by one) to start it again.`,
      );
    },
  );
}
function toggleHub() {
  if (stopping) return;
  if (hub !== null) {
    say('stopping the hub (the store node keeps running)…');
    hubStopRequested = true;
    hub.kill('SIGTERM');
    return;
  }
  say('starting the hub again…');
  startHub();
  void waitFor('the hub', async () => (await fetch(`${hubUrl}/readyz`)).ok).then(() =>
    say('the hub is back: the store node catches up by itself within seconds.'),
  );
}
startHub();
await waitFor('the hub', async () => (await fetch(`${hubUrl}/readyz`)).ok);
if (!state.seeded) {
  say(`entering demo data at the hub as HQ would (${skus} SKUs)…`);
  await seedHub(state);
}

const storeArgs = [
  'start',
  '--data',
  storeData,
  '--port',
  String(storePort),
  '--hub',
  hubUrl,
  '--fixture',
  join(dataDir, 'staff.json'),
];
// The one-time code goes in the environment, never on the command line where ps shows it.
const storeEnv = existsSync(join(storeData, 'store.db')) ? {} : { POS_STORE_ENROLL_CODE: state.enrollCode };
const tokenFile = join(storeData, 'pos-store.token');
rmSync(tokenFile, { force: true });
// Only the node's warnings reach the console as JSON; its human lines (URL, sync progress) always do.
let store = startChild('store', [storeBin, ...storeArgs], { ...storeEnv, POS_STORE_LOG_LEVEL: 'warn' });
await waitFor(
  'the store node',
  async () => existsSync(tokenFile) && (await fetch(`http://127.0.0.1:${storePort}/`)).ok,
);

if (options.electron) {
  // The Electron shell runs the store node itself: hand the data folder over to it.
  stopping = true;
  store.kill('SIGTERM');
  await new Promise((done) => (store.exitCode !== null ? done() : store.once('exit', done)));
  stopping = false;
  say('opening the till in Electron (npm run desktop)…');
  store = spawn(
    'npm',
    [
      'run',
      'desktop',
      '-w',
      '@retail/pos-desktop',
      '--',
      '--data',
      storeData,
      '--hub',
      hubUrl,
      '--port',
      String(storePort),
    ],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
  children.push(store);
  store.once('exit', (code) => {
    if (!stopping)
      fail(
        `Electron stopped (exit ${code}). Where its binary cannot be downloaded, run npm start without --electron and open the till in a browser.`,
      );
  });
}

const pairing = options.electron
  ? null
  : `http://127.0.0.1:${storePort}/?token=${readFileSync(tokenFile, 'utf8').trim()}&register=lane-1`;
const staff = (state.staff ?? []).map(
  (member) => `    ${member.staffCode}  PIN ${member.pin}  ${member.name} (${member.role})`,
);
console.log(
  [
    '',
    '──────────────────────────────────────────────────────────────────────────────',
    ' The product is running.',
    '',
    // The Electron app runs its own store node with its own launch token: the headless node's link died
    // with it, so it is not printed.
    ...(options.electron
      ? [
          ' Till (Electron): the window that opens once the app is built (a minute the first time).',
          '  Browser lanes pair with a code from its Lanes screen when it serves the LAN (docs/pos-ui.md, Lanes).',
        ]
      : [' Till (POS) in a browser:', `    ${pairing}`]),
    '  Sign in with a staff code and PIN:',
    ...staff,
    '  Open a shift (Shift, F4) before selling; scan or search products on Sell (F1).',
    ...(state.demoOrder
      ? [
          `  An online order waits on Pickup (F5): ${state.demoOrder.orderNumber} for ${state.demoOrder.customer}, pickup code ${state.demoOrder.pickupCode}.`,
        ]
      : []),
    `  Loyalty member: loyalty card ${DEMO_CARD} or phone 06 12 34 56 78 (Jordan Member, 1,500 points).`,
    `  Gift card: ${DEMO_GIFT_CARD} (€25.00).`,
    '',
    ` HQ dashboard: ${hubUrl}/   (exceptions, online orders, stock, stores and tills, pricing)`,
    `  HQ login: ${state.hqUser} / ${state.hqPassword}   API: ${hubUrl}/api/openapi.json`,
    `  Web shop API key (orders:write): ${state.apiKey}`,
    '',
    ` Data: ${dataDir} (kept between starts; npm start -- --fresh starts over)`,
    ` Electron: npm start -- --electron   Stop: Ctrl+C`,
    ' Offline selling: press h to stop the hub (the till keeps selling) and h again to start it.',
    '──────────────────────────────────────────────────────────────────────────────',
  ].join('\n'),
);

// One key stops or starts the hub. A terminal hands over keys one by one; a pipe (scripts, tests) sends
// lines, so "h" then Enter works there too.
if (process.stdin.isTTY) process.stdin.setRawMode(true);
process.stdin.setEncoding('utf8');
process.stdin.on('data', (keys) => {
  for (const key of keys) {
    if (key === '\u0003') stopAll();
    else if (key === 'h' || key === 'H') toggleHub();
  }
});
