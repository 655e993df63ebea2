import { invalid } from './errors';

/**
 * UUIDv7 (RFC 9562): 48-bit Unix milliseconds, version 7, a 12-bit counter in `rand_a` (method 1) so ids
 * made within one millisecond still sort in creation order, variant bits, 62 random bits.
 * Clock and randomness are injected: the domain never reads either itself.
 */
export interface IdSources {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Fills and returns `length` random bytes. */
  randomBytes(length: number): Uint8Array;
}

export type IdGenerator = () => string;

const MAX_COUNTER = 0xfff;

export function createUuidV7Generator(sources: IdSources): IdGenerator {
  let lastMs = -1;
  let counter = 0;
  return () => {
    let ms = Math.floor(sources.now());
    if (!Number.isSafeInteger(ms) || ms < 0 || ms > 0xffff_ffff_ffff) {
      throw invalid('ids.clockReturnedTimeUUIDv7', {}, { ms });
    }
    const random = sources.randomBytes(10);
    if (random.length < 10) throw invalid('ids.randomSourceReturnedToo');
    if (ms <= lastMs) {
      // Same millisecond or a clock that stepped back: keep the previous timestamp and count up, so
      // ids stay strictly increasing on this generator.
      ms = lastMs;
      counter += 1;
      if (counter > MAX_COUNTER) {
        ms = lastMs + 1;
        counter = 0;
      }
    } else {
      // Start each millisecond at a random point in the lower half so the counter rarely overflows.
      counter = ((random[0] ?? 0) << 3) & 0x7ff;
    }
    lastMs = ms;
    const bytes = new Uint8Array(16);
    for (let i = 0; i < 6; i += 1) bytes[i] = Math.floor(ms / 2 ** (8 * (5 - i))) & 0xff;
    bytes[6] = 0x70 | ((counter >> 8) & 0x0f);
    bytes[7] = counter & 0xff;
    bytes[8] = 0x80 | ((random[2] ?? 0) & 0x3f);
    for (let i = 9; i < 16; i += 1) bytes[i] = random[i - 6] ?? 0;
    return formatUuid(bytes);
  };
}

/** Two lowercase hex digits per byte value. */
const HEX_PAIRS: readonly string[] = Array.from({ length: 256 }, (_, byte) =>
  byte.toString(16).padStart(2, '0'),
);

/**
 * 16 bytes as `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` (lowercase hex). Joined from a table, not mapped, sliced
 * and joined again: every command takes an id (its transaction's), a completed sale a dozen.
 */
export function formatUuid(bytes: Uint8Array): string {
  const h = (index: number) => HEX_PAIRS[bytes[index] ?? 0] as string;
  return `${h(0)}${h(1)}${h(2)}${h(3)}-${h(4)}${h(5)}-${h(6)}${h(7)}-${h(8)}${h(9)}-${h(10)}${h(11)}${h(12)}${h(13)}${h(14)}${h(15)}`;
}

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export function isUuidV7(value: string): boolean {
  return UUID_V7.test(value);
}

/** The millisecond timestamp embedded in a UUIDv7. */
export function uuidV7Time(id: string): number {
  if (!isUuidV7(id)) throw invalid('ids.notUUIDv7', { id: JSON.stringify(id) }, { id });
  return parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}
