import { z } from 'zod';
import { DomainError } from '@retail/domain';
import type { Executor } from '../storage/storage';
import { INTEGRATION_EVENT_TYPES, IntegrationEventSchema, type IntegrationEventType } from './event-catalog';
import { CURSOR_PATTERN, currentEpochTag, formatCursor, parseCursor, resumePosition } from './log-cursor';
import { positionBefore, readIntegrationEvents } from './outbound-log';

/** `order.*` stands for every order event; anything else must be a catalog type. */
export function expandTypes(list: readonly string[]): IntegrationEventType[] {
  const types = new Set<IntegrationEventType>();
  list.forEach((pattern, index) => {
    const matched = pattern.endsWith('.*')
      ? INTEGRATION_EVENT_TYPES.filter((type) => type.startsWith(pattern.slice(0, -1)))
      : INTEGRATION_EVENT_TYPES.filter((type) => type === pattern);
    if (matched.length === 0) {
      throw new DomainError(
        'INVALID_INPUT',
        'hub.integration.typesNotEventType',
        { index, pattern },
        { issues: [{ path: `query.types.${index}`, message: 'unknown event type' }] },
      );
    }
    for (const type of matched) types.add(type);
  });
  return [...types];
}

const escaped = (text: string) => text.replace(/[.*]/g, (char) => `\\${char}`);
const TYPE_PATTERN = [
  ...INTEGRATION_EVENT_TYPES,
  ...new Set(INTEGRATION_EVENT_TYPES.map((type) => `${type.split('.')[0]}.*`)),
]
  .map(escaped)
  .join('|');

const typeList = z
  .string()
  .max(2000)
  .regex(new RegExp(`^\\s*(?:${TYPE_PATTERN})(?:\\s*,\\s*(?:${TYPE_PATTERN}))*\\s*$`), {
    error: 'List event types of the catalog, separated by commas (`order.*` for a family).',
  })
  .transform((value) =>
    value
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== ''),
  );

export const PullQuerySchema = z.object({
  /** A cursor from an earlier page, or a bare position (0: from the beginning). */
  after: z
    .string()
    .max(80)
    .regex(CURSOR_PATTERN, {
      error: 'Pass the `cursor` of the last page you read, or 0 to start at the beginning.',
    })
    .optional(),
  /** Replay from a time instead: every event recorded at or after it (ISO 8601). */
  since: z.iso.datetime({ offset: true }).optional(),
  /** Comma-separated event types; `order.*` for a family. Default: every type. */
  types: typeList.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});
export type PullQuery = z.output<typeof PullQuerySchema>;

export const PullPageSchema = z.object({
  events: z.array(IntegrationEventSchema),
  /** Pass as `after` to read on. Opaque; stable across restarts and hub processes. */
  cursor: z.string(),
  /** Nothing more to read right now. */
  upToDate: z.boolean(),
});
export type PullPage = z.infer<typeof PullPageSchema>;

/** One page of the log for a consumer (GET /api/integration/events, `pos-hub integration tail`). */
export async function pullEvents(executor: Executor, query: PullQuery, now: number): Promise<PullPage> {
  if (query.after !== undefined && query.since !== undefined) {
    throw new DomainError(
      'INVALID_INPUT',
      'hub.integration.giveEitherAfterCursor',
      {},
      {
        issues: [{ path: 'query.since', message: 'not with after' }],
      },
    );
  }
  const types = query.types === undefined || query.types.length === 0 ? undefined : expandTypes(query.types);
  // The epoch is read before the rows: if it changes meanwhile, the cursor names the older one and the
  // next read resumes conservatively (log-cursor.ts), never past something unseen.
  const epoch = await currentEpochTag(executor);
  const start =
    query.since !== undefined
      ? await positionBefore(executor, Date.parse(query.since))
      : await resumePosition(executor, parseCursor(query.after ?? '0'), epoch);
  const page = await readIntegrationEvents(executor, { after: start, limit: query.limit, types });
  return {
    events: page.events,
    cursor: formatCursor({ position: page.position, epoch, servedAt: now }),
    upToDate: page.upToDate,
  };
}
