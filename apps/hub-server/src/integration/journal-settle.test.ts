import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFIG_KEYS } from '@retail/sync';
import { createHubContext, type HubContext } from '../hub-context';
import { pushEvents } from '../ingest/hub-ingest';
import { putSetting } from '../settings/hq-settings';
import type { Storage } from '../storage/storage';
import { backendKinds, createTestDatabase, type TestDatabase } from '../test-support/backends';
import {
  EventFactory,
  enrollTestDevice,
  pricedSaleOf,
  seedPricing,
  seedWorld,
  type TillPricing,
} from '../test-support/fixtures';
import type { IntegrationEvent } from './event-catalog';
import { INTEGRATION_LEASE, runIntegrationPass } from './integration-runtime';
import { DEFAULT_JOURNAL_POLICY, journalDueAt, journalView, type Journal } from './journal';
import { releaseLease } from './lease';
import { readIntegrationEvents } from './outbound-log';

/**
 * The settle period of late journal revisions (docs/integration.md "When a revision goes out"): a till's
 * catch-up of a closed store day arrives as many pushes; the ERP gets one revision once they stopped
 * (or at the latest the maximum delay after the first), never one per push, and never without an event.
 * Passes run as the integration runtime runs them (under the lease); every clock is injected.
 */

const DAY = '2026-11-23';
const at = (time: string) => Date.parse(`${DAY}T${time}Z`);
/** The day is over at 02:00 the next morning (UTC stores, the default two-hour grace). */
const NEXT_MORNING = (time: string) => Date.parse(`2026-11-24T${time}Z`);
const { settleMs, maxDelayMs } = DEFAULT_JOURNAL_POLICY;

describe.each(backendKinds())('integration/journal settle period on %s', (kind) => {
  let database: TestDatabase;
  let storage: Storage;
  let hub: HubContext;
  let pricing: TillPricing;
  let now = at('09:00:00');
  const clock = () => now;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    storage = await database.open();
    hub = createHubContext(storage, clock);
    await seedWorld(hub, { nodes: ['s1', 's2', 's3', 's4', 's5', 's6'], skus: ['A', 'B'] });
    pricing = await seedPricing(hub, { skus: ['A', 'B'] });
  });

  afterAll(async () => {
    await storage?.close();
    await database?.dispose();
  });

  async function till(nodeId: string) {
    const enrolled = await enrollTestDevice(hub, nodeId);
    const principal = { deviceId: enrolled.deviceId, storeId: enrolled.storeId };
    const events = new EventFactory(principal);
    /** One push of `count` sales of the day (a till's sync batch), through `through` (default: the hub). */
    const push = async (count: number, through: HubContext = hub) => {
      const batch = Array.from({ length: count }, () =>
        events.next(
          'sale.completed',
          pricedSaleOf(pricing, [{ sku: 'A', qty: 1 }], { storeId: nodeId, at: at('15:00:00') }),
        ),
      );
      const ack = await pushEvents(through, principal, { ...principal, events: batch });
      expect(ack.results.filter((result) => result.status !== 'accepted')).toEqual([]);
    };
    return { push };
  }

  /** One integration pass (the runtime's, under the lease): the store days it published a journal of. */
  async function pass(through: HubContext = hub): Promise<number> {
    const report = await runIntegrationPass(through, { journal: DEFAULT_JOURNAL_POLICY });
    expect(report.leader).toBe(true);
    return report.journals;
  }

  async function journalsOf(nodeId: string): Promise<{ journal: Journal; recordedAt: number }[]> {
    const events: IntegrationEvent[] = (await readIntegrationEvents(storage.db, { after: 0, limit: 100_000 }))
      .events;
    return events
      .filter((event) => event.type === 'journal.daily_summary' && event.nodeId === nodeId)
      .map((event) => ({ journal: event.data as Journal, recordedAt: Date.parse(event.recordedAt) }));
  }

  /** The ids of every sale of the store's day in the log: what the latest revision must cover. */
  async function salesOf(nodeId: string): Promise<string[]> {
    const events = (await readIntegrationEvents(storage.db, { after: 0, limit: 100_000 })).events;
    return events
      .filter((event) => event.type === 'sale.completed' && event.nodeId === nodeId)
      .map((event) => event.eventId)
      .sort();
  }

  it('publishes the on-time journal as soon as the day is over, whatever the settle period', async () => {
    await putSetting(
      hub,
      CONFIG_KEYS.journalSettleSeconds,
      { scope: { kind: 'store', storeId: 's1' }, value: 3600, expectedVersion: 0 },
      'hq-admin',
    );
    const s1 = await till('s1');
    now = at('10:00:00');
    await s1.push(3);
    now = at('23:59:00');
    await s1.push(1);
    // Events kept arriving until a minute before midnight: the first journal does not wait for them to settle.
    now = NEXT_MORNING('01:59:59');
    await pass();
    expect(await journalsOf('s1')).toEqual([]);
    now = NEXT_MORNING('02:00:00');
    await pass();
    const [first] = await journalsOf('s1');
    expect(first!.journal).toMatchObject({ revision: 1, sales: { count: 4 } });
    expect(first!.recordedAt).toBe(NEXT_MORNING('02:00:00'));
  });

  it('publishes a burst of late pushes as exactly one revision once it settled, with every event', async () => {
    const s2 = await till('s2');
    now = at('10:00:00');
    await s2.push(2);
    now = NEXT_MORNING('02:00:00');
    await pass();
    expect((await journalsOf('s2')).map((entry) => entry.journal.revision)).toEqual([1]);

    // The next morning a till that was offline catches up in 12 pushes, 5 s apart; a pass after each.
    now = NEXT_MORNING('08:00:00');
    for (let push = 0; push < 12; push += 1) {
      await s2.push(25);
      await pass();
      now += 5_000;
    }
    const last = now - 5_000;
    expect(await journalView(storage.db, { nodeId: 's2', businessDate: DAY })).toMatchObject({
      publishedRevision: 1,
      pending: true,
    });
    now = last + settleMs - 1;
    await pass();
    expect(await journalsOf('s2')).toHaveLength(1);

    now = last + settleMs;
    expect(await pass()).toBe(1);
    expect(await pass()).toBe(0);
    const journals = await journalsOf('s2');
    expect(journals.map((entry) => entry.journal.revision)).toEqual([1, 2]);
    expect(journals[1]!.journal.sales.count).toBe(2 + 12 * 25);
    expect([...journals[1]!.journal.coveredEventIds].sort()).toEqual(await salesOf('s2'));
    expect(await journalView(storage.db, { nodeId: 's2', businessDate: DAY })).toMatchObject({
      publishedRevision: 2,
      pending: false,
    });
  });

  it('publishes a steady trickle no later than the maximum delay after its first event', async () => {
    const s3 = await till('s3');
    // Nothing of the day arrived in time: its first journal is itself late, and settles too.
    const first = NEXT_MORNING('08:00:00');
    const published: number[] = [];
    for (let tick = 0; tick < 25; tick += 1) {
      now = first + tick * 30_000;
      await s3.push(1);
      if ((await pass()) > 0) published.push(now);
    }
    // A push every 30 s never lets it settle for 60 s: the maximum delay bounds each revision.
    expect(published).toEqual([first + maxDelayMs, first + 11 * 30_000 + maxDelayMs]);
    const stopped = now;
    now = stopped + settleMs;
    expect(await pass()).toBe(1);
    const journals = await journalsOf('s3');
    expect(journals.map((entry) => entry.journal.revision)).toEqual([1, 2, 3]);
    expect(journals.map((entry) => entry.journal.sales.count)).toEqual([11, 22, 25]);
    expect([...journals[2]!.journal.coveredEventIds].sort()).toEqual(await salesOf('s3'));
  });

  it('still publishes the settled revision when another hub process took over the lease', async () => {
    const other = await database.open();
    try {
      const otherHub = createHubContext(other, clock);
      const s4 = await till('s4');
      now = NEXT_MORNING('09:00:00');
      await s4.push(5);
      await pass();
      now += 10_000;
      await s4.push(5, otherHub);
      await pass();
      expect(await journalsOf('s4')).toEqual([]);
      // This process stops renewing (it died); its lease lapses; the other one leads from now on.
      now += settleMs;
      expect(await pass(otherHub)).toBe(1);
      const [journal] = await journalsOf('s4');
      expect(journal!.journal.sales.count).toBe(10);
      expect([...journal!.journal.coveredEventIds].sort()).toEqual(await salesOf('s4'));
    } finally {
      await other.close();
    }
  });

  it('still publishes the settled revision after the hub restarted in the middle', async () => {
    const s5 = await till('s5');
    now = NEXT_MORNING('10:00:00');
    const restarted = await database.open();
    try {
      const before = createHubContext(restarted, clock);
      await s5.push(4, before);
      await pass(before);
      // The hub stops cleanly (the lease given up) and starts again: only the database remembers.
      await releaseLease(restarted.db, INTEGRATION_LEASE, restarted.instanceId);
    } finally {
      await restarted.close();
    }
    const after = await database.open();
    try {
      const afterHub = createHubContext(after, clock);
      now += settleMs - 1;
      expect(await pass(afterHub)).toBe(0);
      now += 1;
      expect(await pass(afterHub)).toBe(1);
      await releaseLease(after.db, INTEGRATION_LEASE, after.instanceId);
    } finally {
      await after.close();
    }
    const [journal] = await journalsOf('s5');
    expect([...journal!.journal.coveredEventIds].sort()).toEqual(await salesOf('s5'));
  });

  it('takes the settle period and the maximum delay from HQ store settings', async () => {
    await putSetting(
      hub,
      CONFIG_KEYS.journalSettleSeconds,
      { scope: { kind: 'region', regionId: 'north' }, value: 10, expectedVersion: 0 },
      'hq-admin',
    );
    await putSetting(
      hub,
      CONFIG_KEYS.journalMaxDelaySeconds,
      { scope: { kind: 'store', storeId: 's6' }, value: 25, expectedVersion: 0 },
      'hq-admin',
    );
    const s6 = await till('s6');
    const first = NEXT_MORNING('11:00:00');
    now = first;
    await s6.push(1);
    await pass();
    now = first + 9_999;
    expect(await pass()).toBe(0);
    await s6.push(1);
    now = first + 19_998;
    expect(await pass()).toBe(0);
    await s6.push(1);
    now = first + 25_000;
    expect(await pass()).toBe(1);
    expect((await journalsOf('s6'))[0]!.journal.sales.count).toBe(3);
  });
});

describe('journalDueAt (property)', () => {
  const day = { businessDate: DAY, timezone: 'UTC' };
  const policy = { graceMs: 2 * 3600_000, settleMs: 60_000, maxDelayMs: 300_000 };

  it('publishes every arrival within the maximum delay, and once arrivals stop, after the settle interval', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 120_000 }), { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1_000, max: 30_000 }),
        (gaps, passEvery) => {
          // Arrivals after the day closed, and passes every `passEvery` ms, as the runtime runs them.
          let arrival = NEXT_MORNING('03:00:00');
          const arrivals = gaps.map((gap) => (arrival += gap));
          let covered = 0;
          let revision = 1;
          const end = arrivals.at(-1)! + policy.maxDelayMs + passEvery;
          for (let now = arrivals[0]!; now <= end; now += passEvery) {
            const uncovered = arrivals.slice(covered).filter((time) => time <= now);
            if (uncovered.length === 0) continue;
            const when = journalDueAt(
              { ...day, revision, pendingSince: uncovered[0]!, lastArrivalAt: uncovered.at(-1)! },
              policy,
              now,
            );
            expect(when.late).toBe(true);
            if (!when.due) {
              // Held back only while within the maximum delay and not yet settled.
              expect(now).toBeLessThan(uncovered[0]! + policy.maxDelayMs);
              expect(now).toBeLessThan(uncovered.at(-1)! + policy.settleMs);
              continue;
            }
            expect(now).toBeGreaterThanOrEqual(
              Math.min(uncovered.at(-1)! + policy.settleMs, uncovered[0]! + policy.maxDelayMs),
            );
            covered += uncovered.length;
            revision += 1;
          }
          // Nothing is ever left behind.
          expect(covered).toBe(arrivals.length);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('never holds back the first journal of events that arrived before the day closed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 26 * 3600_000 - 1 }), (offset) => {
        const arrival = at('00:00:00') + offset;
        const when = journalDueAt(
          { ...day, revision: 0, pendingSince: arrival, lastArrivalAt: arrival },
          policy,
          NEXT_MORNING('02:00:00'),
        );
        expect(when).toMatchObject({ due: true, late: false });
      }),
    );
  });
});
