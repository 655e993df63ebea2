import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../api/app';
import { createUser } from '../auth/users';
import { raiseException, type RaiseException } from '../exceptions/exception-queue';
import { createHubContext, type HubContext } from '../hub-context';
import { inHubTransaction } from '../hub-tx';
import { runIntegrationPass } from '../integration/integration-runtime';
import { verifyWebhookSignature, SIGNATURE_HEADER } from '../integration/webhook-signature';
import type { Storage } from '../storage/storage';
import { backendKinds, createTestDatabase, type TestDatabase } from '../test-support/backends';
import { seedWorld } from '../test-support/fixtures';
import { startSmtp } from '../test-support/smtp-server';
import { createSmtpMailer } from '../integration/mailer';
import { ALERT_ID_HEADER, deliverDueAlerts } from './alert-outbox';

const PASSWORD = 'correct horse battery';
const START = Date.UTC(2026, 10, 2, 9);

/** A webhook receiver answering with the statuses given, in turn (then 200). */
async function startReceiver(statuses: number[]) {
  const calls: { headers: IncomingHttpHeaders; body: string }[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      calls.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.statusCode = statuses.shift() ?? 200;
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`,
    calls,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const oversell = (nodeId: string, sku: string): RaiseException => ({
  type: 'OVERSELL',
  severity: 'critical',
  nodeId,
  sku,
  causeEventIds: [`event-${nodeId}-${sku}`],
  conditionKey: `OVERSELL:${nodeId}:${sku}`,
  details: { message: `${sku} at ${nodeId} is oversold by 2.` },
});

describe.each(backendKinds())('alert-outbox on %s', (kind) => {
  let database: TestDatabase;
  let storage: Storage;
  let hub: HubContext;
  let app: FastifyInstance;
  let clock = START;
  let admin = '';
  let viewer = '';
  const closers: (() => Promise<void> | void)[] = [];

  const call = async (
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: string,
    token: string,
    body?: unknown,
  ) => {
    const response = await app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(body === undefined ? {} : { payload: body as object }),
    });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are checked field by field
    return { status: response.statusCode, body: response.json() as { ok: boolean; value: any; error?: any } };
  };
  const raise = (...exceptions: RaiseException[]) =>
    inHubTransaction(hub, async (tx) => {
      for (const exception of exceptions) tx.raise(exception);
    });
  const deliveries = async () =>
    (await call('GET', '/api/alerts/deliveries', viewer)).body.value as Record<string, unknown>[];
  const clearRules = async () => {
    for (const rule of (await call('GET', '/api/alerts/rules', viewer)).body.value as {
      ruleId: string;
      version: number;
    }[])
      await call('DELETE', `/api/alerts/rules/${rule.ruleId}?version=${rule.version}`, admin);
    await storage.db.deleteFrom('alert_deliveries').execute();
    await storage.db.updateTable('exceptions').set({ status: 'resolved', condition_key: null }).execute();
  };

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    storage = await database.open();
    hub = createHubContext(storage, () => clock);
    await seedWorld(hub, { nodes: ['s1', 's2'], skus: ['A', 'B'] });
    await createUser(hub, { username: 'admin-user', password: PASSWORD, role: 'admin' });
    await createUser(hub, { username: 'viewer-user', password: PASSWORD, role: 'viewer' });
    ({ app } = await buildApp({ hub }));
    for (const role of ['admin', 'viewer'] as const) {
      const login = await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: `${role}-user`, password: PASSWORD },
      });
      const token = (login.json() as { value: { token: string } }).value.token;
      if (role === 'admin') admin = token;
      else viewer = token;
    }
  });

  afterEach(async () => {
    while (closers.length > 0) await closers.pop()!();
    await clearRules();
  });

  afterAll(async () => {
    await app?.close();
    await storage?.close();
    await database?.dispose();
  });

  describe('alert rules', () => {
    it('are created by an admin only, validated, changed at the version seen, and audited', async () => {
      const rule = {
        name: 'Oversells to ops',
        exceptionType: 'OVERSELL',
        channel: 'email',
        emails: ['ops@example.com'],
      };
      expect((await call('POST', '/api/alerts/rules', viewer, rule)).status).toBe(403);
      const bad = await call('POST', '/api/alerts/rules', admin, { ...rule, emails: ['not an address'] });
      expect(bad).toMatchObject({ status: 400, body: { error: { code: 'INVALID_INPUT' } } });
      const unknownNode = await call('POST', '/api/alerts/rules', admin, { ...rule, nodeId: 'nowhere' });
      expect(unknownNode).toMatchObject({ status: 400, body: { error: { code: 'INVALID_INPUT' } } });
      const created = await call('POST', '/api/alerts/rules', admin, rule);
      expect(created.status).toBe(201);
      expect(created.body.value).toMatchObject({
        rule: { name: 'Oversells to ops', emails: ['ops@example.com'], version: 1, enabled: true },
        secret: null,
      });
      const { ruleId } = created.body.value.rule as { ruleId: string };
      const changed = await call('PUT', `/api/alerts/rules/${ruleId}`, admin, {
        ...rule,
        minSeverity: 'critical',
        version: 1,
      });
      expect(changed.body.value.rule).toMatchObject({ version: 2, minSeverity: 'critical' });
      const stale = await call('PUT', `/api/alerts/rules/${ruleId}`, admin, { ...rule, version: 1 });
      expect(stale).toMatchObject({ status: 409, body: { error: { code: 'CONFLICT' } } });
      expect((await call('DELETE', `/api/alerts/rules/${ruleId}?version=1`, admin)).body.error.code).toBe(
        'CONFLICT',
      );
      const audit = await storage.db
        .selectFrom('hq_audit')
        .select(['action', 'subject'])
        .where('action', 'like', 'alerts.%')
        .orderBy('at')
        .execute();
      expect(audit.map((entry) => entry.action)).toEqual(['alerts.rules.create', 'alerts.rules.set']);
    });

    it('queue an alert with the exception in its transaction, and none when that transaction fails', async () => {
      await call('POST', '/api/alerts/rules', admin, {
        name: 'Oversells at s1',
        exceptionType: 'OVERSELL',
        minSeverity: 'warning',
        nodeId: 's1',
        channel: 'email',
        emails: ['ops@example.com'],
      });
      await expect(
        storage.transaction(async (trx) => {
          await raiseException(trx, oversell('s1', 'A'), clock, hub.newId);
          expect(await trx.selectFrom('alert_deliveries').select('delivery_id').execute()).toHaveLength(1);
          throw new Error('the batch failed');
        }),
      ).rejects.toThrow('the batch failed');
      expect(await deliveries()).toEqual([]);
      // Another store, another kind, a lower severity: no alert. Then one for the matching exception.
      await raise(
        oversell('s2', 'A'),
        { ...oversell('s1', 'B'), type: 'NEGATIVE_SELLABLE', conditionKey: 'NEGATIVE_SELLABLE:s1:B' },
        { ...oversell('s1', 'B'), severity: 'info' },
      );
      expect(await deliveries()).toEqual([]);
      await raise(oversell('s1', 'A'));
      const queued = await deliveries();
      expect(queued).toMatchObject([
        { exceptionType: 'OVERSELL', channel: 'email', target: 'ops@example.com', status: 'pending' },
      ]);
      // The same open condition recurring is not a new exception: no second alert.
      await raise(oversell('s1', 'A'));
      expect(await deliveries()).toHaveLength(1);
    });
  });

  describe('delivery', () => {
    it('e-mails the alert through a real SMTP server with the configured sender and login', async () => {
      const smtp = await startSmtp({ user: 'hub', pass: 'smtp secret' });
      const mailer = createSmtpMailer({
        host: '127.0.0.1',
        port: smtp.port,
        from: 'hub@example.com',
        user: 'hub',
        password: 'smtp secret',
      });
      closers.push(smtp.close, () => mailer.close());
      await call('POST', '/api/alerts/rules', admin, {
        name: 'Oversells',
        exceptionType: 'OVERSELL',
        channel: 'email',
        emails: ['ops@example.com', 'lead@example.com'],
      });
      await raise(oversell('s1', 'A'));
      const report = await runIntegrationPass(hub, { alerts: { mailer } });
      expect(report.alerts).toMatchObject({ attempted: 1, delivered: 1 });
      expect(smtp.received).toHaveLength(1);
      const [mail] = smtp.received;
      expect(mail).toMatchObject({
        from: 'hub@example.com',
        to: ['ops@example.com', 'lead@example.com'],
        user: 'hub',
      });
      expect(mail!.raw).toContain('Subject: [critical] OVERSELL at Node s1 (S1)');
      expect(mail!.raw).toContain('Store: Node s1 (S1)');
      expect(mail!.raw).toContain('A at s1 is oversold by 2.');
      expect(await deliveries()).toMatchObject([{ status: 'delivered', attempts: 1 }]);
    });

    it('POSTs a signed webhook, retrying with backoff until the receiver takes it', async () => {
      const receiver = await startReceiver([503]);
      closers.push(receiver.close);
      const created = await call('POST', '/api/alerts/rules', admin, {
        name: 'Oversell hook',
        exceptionType: 'OVERSELL',
        channel: 'webhook',
        url: receiver.url,
      });
      const secret = created.body.value.secret as string;
      expect(secret).toMatch(/^whsec_/);
      await raise(oversell('s2', 'B'));
      const options = { random: () => 0 };
      const retry = { baseDelayMs: 1_000, maxDelayMs: 60_000 };
      expect(await deliverDueAlerts(hub, { retry }, options)).toMatchObject({ retrying: 1 });
      const [waiting] = await deliveries();
      expect(waiting).toMatchObject({ status: 'pending', attempts: 1, lastStatusCode: 503 });
      expect(waiting!.nextAttemptAt).toBe(clock + 500);
      // Not due yet: nothing is sent before the backoff has passed.
      expect(await deliverDueAlerts(hub, { retry }, options)).toMatchObject({ attempted: 0 });
      clock += 500;
      expect(await deliverDueAlerts(hub, { retry }, options)).toMatchObject({ delivered: 1 });
      expect(receiver.calls).toHaveLength(2);
      const last = receiver.calls[1]!;
      expect(verifyWebhookSignature(secret, last.headers[SIGNATURE_HEADER] as string, last.body, clock)).toBe(
        true,
      );
      expect(last.headers[ALERT_ID_HEADER]).toBe(waiting!.deliveryId);
      expect(JSON.parse(last.body)).toMatchObject({
        type: 'alert.exception_raised',
        rule: { name: 'Oversell hook' },
        exception: { type: 'OVERSELL', severity: 'critical', nodeId: 's2', sku: 'B' },
      });
    });

    it('shows an alert that ran out of attempts as failed, and sends it again on request', async () => {
      const smtp = await startSmtp();
      await smtp.close(); // nothing listens there any more
      const mailer = createSmtpMailer({
        host: '127.0.0.1',
        port: smtp.port,
        from: 'hub@example.com',
        timeoutMs: 2_000,
      });
      closers.push(() => mailer.close());
      await call('POST', '/api/alerts/rules', admin, {
        name: 'Oversells',
        exceptionType: 'OVERSELL',
        channel: 'email',
        emails: ['ops@example.com'],
      });
      await raise(oversell('s1', 'B'));
      const retry = { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 10 };
      await deliverDueAlerts(hub, { mailer, retry });
      clock += 10;
      expect(await deliverDueAlerts(hub, { mailer, retry })).toMatchObject({ failed: 1 });
      const failed = (await call('GET', '/api/alerts/deliveries?status=failed', viewer)).body.value;
      expect(failed).toMatchObject([
        { status: 'failed', attempts: 2, lastError: expect.stringContaining('The mail server did not take') },
      ]);
      const rules = (await call('GET', '/api/alerts/rules', viewer)).body.value;
      expect(rules).toMatchObject([{ failedDeliveries: 1 }]);
      const again = await call('POST', `/api/alerts/deliveries/${failed[0].deliveryId}/retry`, viewer);
      expect(again.status).toBe(403);
      const retried = await call('POST', `/api/alerts/deliveries/${failed[0].deliveryId}/retry`, admin);
      expect(retried.body.value).toMatchObject({ status: 'pending', attempts: 0 });
      const twice = await call('POST', `/api/alerts/deliveries/${failed[0].deliveryId}/retry`, admin);
      expect(twice.body.error.code).toBe('NOT_ALLOWED');
    });

    it('keeps a queued alert across a hub restart and sends it afterwards', async () => {
      const smtp = await startSmtp();
      const mailer = createSmtpMailer({ host: '127.0.0.1', port: smtp.port, from: 'hub@example.com' });
      closers.push(smtp.close, () => mailer.close());
      await call('POST', '/api/alerts/rules', admin, {
        name: 'Oversells',
        exceptionType: 'OVERSELL',
        channel: 'email',
        emails: ['ops@example.com'],
      });
      await raise(oversell('s2', 'A'));
      const reopened = await database.open();
      try {
        await storage.close();
        const restarted = createHubContext(reopened, () => clock);
        expect(await deliverDueAlerts(restarted, { mailer })).toMatchObject({ delivered: 1 });
        expect(smtp.received).toHaveLength(1);
      } finally {
        storage = reopened;
        hub = createHubContext(storage, () => clock);
        await app.close();
        ({ app } = await buildApp({ hub }));
      }
    });
  });
});
