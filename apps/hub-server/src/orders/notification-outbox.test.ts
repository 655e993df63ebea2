import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '@retail/domain';
import { backendKinds } from '../test-support/backends';
import { createBopisWorld, type BopisWorld } from '../test-support/bopis-world';
import { cancelOrder } from './order-lifecycle';
import {
  NOTIFICATION_ID_HEADER,
  SIGNATURE_HEADER,
  deliverDueNotifications,
  listNotifications,
  retryDelayMs,
  retryNotification,
  signWebhook,
  verifyWebhookSignature,
  type WebhookConfig,
} from './notification-outbox';

const SECRET = 'shared-webhook-secret';

interface Received {
  readonly body: string;
  readonly signature: string | undefined;
  readonly notificationId: string | undefined;
  readonly verified: boolean;
}

/** A real HTTP receiver on 127.0.0.1 that answers each request with the next scripted status. */
async function startReceiver(now: () => number) {
  const received: Received[] = [];
  const script: number[] = [];
  const server: Server = createServer((request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const signature = request.headers[SIGNATURE_HEADER] as string | undefined;
      received.push({
        body,
        signature,
        notificationId: request.headers[NOTIFICATION_ID_HEADER] as string | undefined,
        verified: verifyWebhookSignature(SECRET, signature, body, now()),
      });
      response.statusCode = script.shift() ?? 204;
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/orders`,
    received,
    script,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('orders/notification-outbox', () => {
  describe('signWebhook / verifyWebhookSignature', () => {
    it('accepts the body it signed and refuses a changed body, another secret or an old timestamp', () => {
      const body = '{"type":"order.cancelled"}';
      const at = 1_800_000_000_000;
      const header = signWebhook(SECRET, body, at);
      expect(header).toMatch(/^t=1800000000000,v1=[0-9a-f]{64}$/);
      expect(verifyWebhookSignature(SECRET, header, body, at + 1000)).toBe(true);
      expect(verifyWebhookSignature(SECRET, header, `${body} `, at)).toBe(false);
      expect(verifyWebhookSignature('other', header, body, at)).toBe(false);
      expect(verifyWebhookSignature(SECRET, header, body, at + 10 * 60_000)).toBe(false);
      expect(verifyWebhookSignature(SECRET, 'garbage', body, at)).toBe(false);
      expect(verifyWebhookSignature(SECRET, undefined, body, at)).toBe(false);
    });
  });

  describe('retryDelayMs', () => {
    it('doubles from the base with jitter in [½, 1] of the step and never passes the cap', () => {
      const config: WebhookConfig = { url: 'x', secret: 'y', baseDelayMs: 1000, maxDelayMs: 60_000 };
      expect(retryDelayMs(1, config, () => 0.999_999)).toBe(1000);
      expect(retryDelayMs(1, config, () => 0)).toBe(500);
      expect(retryDelayMs(3, config, () => 0.999_999)).toBe(4000);
      expect(retryDelayMs(40, config, () => 0.999_999)).toBe(60_000);
    });
  });

  describe.each(backendKinds())('deliverDueNotifications on %s', (kind) => {
    let world: BopisWorld;
    let receiver: Awaited<ReturnType<typeof startReceiver>>;

    beforeAll(async () => {
      world = await createBopisWorld(kind);
      await world.stock('s1', 'A', 10);
      receiver = await startReceiver(() => world.clock.now);
    });

    afterAll(async () => {
      await receiver?.close();
      await world?.dispose();
    });

    it('delivers a signed notification, retrying with backoff after failures until the receiver takes it', async () => {
      const order = await world.place();
      await cancelOrder(world.hub, order.orderId, {}, { actor: 'api-key:shop', customer: true });
      const config: WebhookConfig = {
        url: receiver.url,
        secret: SECRET,
        baseDelayMs: 1000,
        maxDelayMs: 60_000,
      };
      receiver.script.push(500, 503);

      const first = await deliverDueNotifications(world.hub, config, { random: () => 0.5 });
      expect(first).toEqual({ attempted: 1, delivered: 0, retrying: 1, failed: 0 });
      let [state] = await listNotifications(world.storage.db, { orderId: order.orderId, limit: 10 });
      expect(state).toMatchObject({ status: 'pending', attempts: 1, lastStatusCode: 500 });
      expect(state?.lastError).toMatch(/HTTP 500/);
      expect(state?.nextAttemptAt).toBe(world.clock.now + 750);

      // Not due yet: nothing is sent.
      expect((await deliverDueNotifications(world.hub, config)).attempted).toBe(0);
      await world.advance(750);
      expect((await deliverDueNotifications(world.hub, config, { random: () => 0.5 })).retrying).toBe(1);
      await world.advance(1500);
      expect(await deliverDueNotifications(world.hub, config)).toMatchObject({ delivered: 1 });

      [state] = await listNotifications(world.storage.db, { orderId: order.orderId, limit: 10 });
      expect(state).toMatchObject({ status: 'delivered', attempts: 3, lastStatusCode: 204, lastError: null });
      expect(receiver.received).toHaveLength(3);
      expect(receiver.received.every((request) => request.verified)).toBe(true);
      expect(new Set(receiver.received.map((request) => request.notificationId))).toEqual(
        new Set([state?.notificationId]),
      );
      const body = JSON.parse(receiver.received[2]!.body) as Record<string, unknown>;
      expect(body).toMatchObject({
        type: 'order.cancelled',
        order: {
          orderId: order.orderId,
          status: 'CANCELLED',
          cancelReason: 'customer_request',
          pickupCode: null,
          payment: { action: 'void', authorisationRef: order.order.payment.authorisationRef },
        },
      });
      // Delivered notifications are not sent again.
      await world.advance(3_600_000);
      expect((await deliverDueNotifications(world.hub, config)).attempted).toBe(0);
    });

    it('gives up after the last attempt, records why, and sends again when HQ retries', async () => {
      const order = await world.place();
      await cancelOrder(world.hub, order.orderId, {}, { actor: 'user:hq', customer: false });
      const unreachable: WebhookConfig = {
        url: 'http://127.0.0.1:9/closed',
        secret: SECRET,
        maxAttempts: 2,
        baseDelayMs: 10,
        timeoutMs: 2000,
      };
      await deliverDueNotifications(world.hub, unreachable);
      await world.advance(1000);
      expect(await deliverDueNotifications(world.hub, unreachable)).toMatchObject({ failed: 1 });
      const [failed] = await listNotifications(world.storage.db, { orderId: order.orderId, limit: 10 });
      expect(failed).toMatchObject({ status: 'failed', attempts: 2, lastStatusCode: null });
      expect(failed?.lastError).toMatch(/could not be reached/);

      const again = await retryNotification(world.hub, failed!.notificationId);
      expect(again.status).toBe('pending');
      await expect(retryNotification(world.hub, failed!.notificationId)).rejects.toMatchObject({
        code: 'NOT_ALLOWED',
      });
      await expect(retryNotification(world.hub, 'nope')).rejects.toBeInstanceOf(DomainError);
      const delivered = await deliverDueNotifications(world.hub, { url: receiver.url, secret: SECRET });
      expect(delivered.delivered).toBe(1);
    });

    it('sends each due notification once when two deliverers run at the same time', async () => {
      const orders = await Promise.all([world.place(), world.place(), world.place()]);
      for (const order of orders) {
        await cancelOrder(world.hub, order.orderId, {}, { actor: 'user:hq', customer: false });
      }
      const before = receiver.received.length;
      const config = { url: receiver.url, secret: SECRET };
      const [a, b] = await Promise.all([
        deliverDueNotifications(world.hub, config),
        deliverDueNotifications(world.hub, config),
      ]);
      expect(a.delivered + b.delivered).toBe(3);
      expect(receiver.received.length - before).toBe(3);
    });
  });
});
