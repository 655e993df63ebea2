import { DomainError } from '@retail/domain';
import { z } from 'zod';
import { openStoreEngine } from '../engine/engine';
import { readHubConnection } from '../engine/sync/store-sync';
import { requireDatabase, requireNodeStopped } from './data-folder';
import { validateOptions, type CliIo, type ParsedOptions } from './options';

const ReEnrollOptionsSchema = z.object({
  data: z.string({ error: 'is required.' }).min(1),
  hub: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://hub.example.com.' })
    .optional(),
  enroll: z
    .string({ error: 'is required: a one-time code from HQ in --enroll-file FILE or POS_STORE_ENROLL_CODE.' })
    .trim()
    .min(4),
  'device-name': z.string().trim().min(1).max(100).optional(),
});

/**
 * `pos-store re-enroll`: a till that already is a device of its store (restored from a backup, or revoked
 * at HQ) becomes a NEW device with a one-time code from HQ. The hub revokes the old device and says which
 * of the till's events it already holds; the rest are sent again as the new device at the next start
 * (docs/sync.md §2, "A till restored from a backup"). The node must be stopped.
 */
export async function runReEnroll(values: ParsedOptions, io: CliIo): Promise<number> {
  const options = validateOptions(ReEnrollOptionsSchema, values);
  const file = requireDatabase(options.data);
  requireNodeStopped(options.data);
  const engine = openStoreEngine({ databasePath: file, sync: false });
  try {
    const hubUrl = options.hub ?? readHubConnection(engine.db)?.hubUrl;
    if (hubUrl === undefined) {
      throw new DomainError(
        'INVALID_INPUT',
        'This till was never enrolled: enroll it with pos-store start --hub URL --enroll-file FILE instead.',
      );
    }
    const before = engine.identity;
    const after = await engine.sync.replaceWithCode(hubUrl, options.enroll, options['device-name']);
    const status = engine.execute('sync-status', {});
    const pendingEvents = status.ok ? status.value.pendingEvents : 0;
    io.out(
      `pos-store: this till is now device ${after.deviceNo} of store ${after.storeCode} (device ${before.deviceNo} is revoked at the hub); ${pendingEvents} event(s) the hub lacks are sent as the new device when the node starts`,
    );
    io.out(`Start it with: pos-store start --data ${options.data}`);
    return 0;
  } finally {
    await engine.shutdown();
  }
}
