/**
 * The feed's entity schemas live in one registry shared with the store replica
 * (`FEED_ENTITY_SCHEMAS` in packages/sync/src/feed.ts): the hub validates every row with it before
 * writing it, the store validates every row with it before applying it.
 */
export {
  ConfigEntrySchema,
  StoreNodeSchema,
  feedEntitySchema,
  isFeedEntity,
  type ConfigEntry,
  type StoreNode,
} from '@retail/sync';
