/**
 * A reference ERP connector for the hub's webhook subscriptions (docs/integration.md, "Building a
 * connector"): what an integrator writes, kept deliberately independent of the hub's code. It
 *
 * - verifies each delivery's HMAC signature over the raw body before reading it (401 otherwise);
 * - applies each event exactly once: the event id and the event's effect on the books are written in one
 *   SQLite transaction, so a delivery repeated (a lost answer, a replay, a duplicate) is acknowledged
 *   and skipped;
 * - books sales, voids, returns, shift over/short and stored-value liabilities per store and business
 *   date, and keeps the latest revision of each `journal.daily_summary` to reconcile against;
 * - records, per aggregate, that events arrived in log order.
 *
 * Usage: node --import tsx scripts/reference-erp-consumer.ts --db FILE --secret-file FILE [--port 0]
 * It prints `erp consumer listening on http://127.0.0.1:PORT` and serves POST /hooks and GET /state.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';

const { values } = parseArgs({
  options: {
    db: { type: 'string' },
    'secret-file': { type: 'string' },
    port: { type: 'string', default: '0' },
  },
  strict: true,
});
if (values.db === undefined || values['secret-file'] === undefined) {
  process.stderr.write('usage: reference-erp-consumer --db FILE --secret-file FILE [--port N]\n');
  process.exit(2);
}
const secret = readFileSync(values['secret-file'], 'utf8').split('\n')[0]!.trim();

const db = new Database(values.db);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.exec(`
  create table if not exists applied (event_id text primary key, seq integer not null, type text not null,
    aggregate text not null);
  create table if not exists received (n integer primary key autoincrement, event_id text not null);
  create table if not exists books (node_id text not null, business_date text not null, currency text not null,
    account text not null, amount integer not null, primary key (node_id, business_date, currency, account));
  create table if not exists journals (node_id text not null, business_date text not null, currency text not null,
    revision integer not null, data text not null, primary key (node_id, business_date, currency));
  create table if not exists aggregate_heads (aggregate text primary key, seq integer not null);
  create table if not exists order_violations (aggregate text not null, seq integer not null, after_seq integer not null);
`);

/** The documented verification: HMAC-SHA256 of "<t>.<raw body>", constant-time, at most 5 minutes old. */
function verify(header: string | undefined, rawBody: string, now = Date.now()): boolean {
  if (header === undefined) return false;
  const parts = Object.fromEntries(header.split(',').map((part) => part.split('=', 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isSafeInteger(t) || !/^[0-9a-f]{64}$/.test(parts.v1 ?? '') || Math.abs(now - t) > 5 * 60_000) {
    return false;
  }
  const expected = createHmac('sha256', secret).update(`${t}.${rawBody}`).digest();
  return timingSafeEqual(expected, Buffer.from(parts.v1!, 'hex'));
}

interface Tender {
  type: string;
  amount: number;
}
interface Envelope {
  eventId: string;
  type: string;
  seq: number;
  aggregate: { type: string; id: string };
  nodeId: string | null;
  data: Record<string, unknown> & { businessDate?: string; currency?: string };
}

const book = db.prepare(
  `insert into books (node_id, business_date, currency, account, amount) values (?, ?, ?, ?, ?)
   on conflict (node_id, business_date, currency, account) do update set amount = amount + excluded.amount`,
);

function post(event: Envelope, account: string, amount: number): void {
  book.run(event.nodeId, event.data.businessDate, event.data.currency, account, amount);
}

/** The event's effect on the books (called once per event id). */
function applyToBooks(event: Envelope): void {
  const data = event.data as Record<string, never>;
  switch (event.type) {
    case 'sale.completed': {
      const totals = data.totals as Record<string, number>;
      post(event, 'sales.count', 1);
      post(event, 'sales.gross', totals.subtotal!);
      post(event, 'sales.discounts', totals.discount!);
      post(event, 'sales.tax', totals.tax!);
      post(event, 'sales.paid', totals.paid!);
      for (const tender of data.tenders as Tender[])
        post(event, `tender.${tender.type}.sales`, tender.amount);
      break;
    }
    case 'sale.voided':
      post(event, 'voids.count', 1);
      for (const tender of data.refunds as Tender[]) {
        post(event, 'voids.amount', tender.amount);
        post(event, `tender.${tender.type}.refunds`, tender.amount);
      }
      break;
    case 'return.completed':
      post(event, 'returns.count', 1);
      post(event, 'returns.amount', data.refundTotal as number);
      for (const tender of data.refunds as Tender[])
        post(event, `tender.${tender.type}.refunds`, tender.amount);
      break;
    case 'shift.closed':
      post(event, 'cash.shifts', 1);
      post(event, 'cash.overShort', data.overShort as number);
      break;
    case 'stored_value.entry_recorded':
      if (event.data.businessDate !== null) post(event, `liability.${data.kind as string}.net`, data.amount);
      break;
    case 'journal.daily_summary':
      db.prepare(
        `insert into journals (node_id, business_date, currency, revision, data) values (?, ?, ?, ?, ?)
         on conflict (node_id, business_date, currency) do update set revision = excluded.revision,
           data = excluded.data where excluded.revision > journals.revision`,
      ).run(event.nodeId, data.businessDate, data.currency, data.revision, JSON.stringify(data));
      break;
    default:
      break;
  }
}

const apply = db.transaction((event: Envelope): boolean => {
  const inserted = db
    .prepare('insert or ignore into applied (event_id, seq, type, aggregate) values (?, ?, ?, ?)')
    .run(event.eventId, event.seq, event.type, `${event.aggregate.type}:${event.aggregate.id}`);
  if (inserted.changes === 0) return false;
  const aggregate = `${event.aggregate.type}:${event.aggregate.id}`;
  const head = db.prepare('select seq from aggregate_heads where aggregate = ?').get(aggregate) as
    { seq: number } | undefined;
  if (head !== undefined && head.seq > event.seq) {
    db.prepare('insert into order_violations values (?, ?, ?)').run(aggregate, event.seq, head.seq);
  }
  db.prepare(
    'insert into aggregate_heads values (?, ?) on conflict (aggregate) do update set seq = excluded.seq',
  ).run(aggregate, event.seq);
  applyToBooks(event);
  return true;
});

function state() {
  return {
    applied: db.prepare('select event_id as eventId, type from applied order by seq').all() as object[],
    received: (db.prepare('select count(*) as n from received').get() as { n: number }).n,
    books: db.prepare('select * from books').all(),
    journals: (db.prepare('select data from journals').all() as { data: string }[]).map(
      (row) => JSON.parse(row.data) as unknown,
    ),
    orderViolations: db.prepare('select * from order_violations').all(),
  };
}

function answer(response: ServerResponse, status: number, body?: unknown): void {
  response.statusCode = status;
  if (body === undefined) {
    response.end();
    return;
  }
  response.setHeader('content-type', 'application/json');
  response.end(JSON.stringify(body));
}

async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (request.method === 'GET' && request.url === '/state') return answer(response, 200, state());
  if (request.method !== 'POST' || request.url !== '/hooks') return answer(response, 404);
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString('utf8');
  const signature = request.headers['x-retail-signature'];
  if (!verify(typeof signature === 'string' ? signature : undefined, raw)) return answer(response, 401);
  const event = JSON.parse(raw) as Envelope;
  db.prepare('insert into received (event_id) values (?)').run(event.eventId);
  apply(event);
  answer(response, 204);
}

const server = createServer((request, response) => {
  handle(request, response).catch((error: unknown) => {
    process.stderr.write(`erp consumer: ${String(error)}\n`);
    answer(response, 500);
  });
});
server.listen(Number(values.port), '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`erp consumer listening on http://127.0.0.1:${port}\n`);
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => server.close(() => db.close()));
}
