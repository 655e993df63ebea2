import { z } from 'zod';
import type { CommandAuth } from './roles';

/**
 * Lanes on the store LAN (docs/pos-ui.md "Lanes"): another PC, tablet or handheld that runs the till in a
 * browser, or a customer display. A manager creates a short pairing code on the main till; the device
 * trades it once (`POST /lanes/pair`) for its own credential, which the node keeps hashed, which survives
 * node restarts and which a manager can revoke on its own.
 */

const id = z.string().trim().min(1).max(100);
const isoTime = z.iso.datetime({ offset: true });

export const LANE_KINDS = ['lane', 'display'] as const;
export type LaneKind = (typeof LANE_KINDS)[number];

/** The till the node runs on (Electron window, local tools): it holds the per-launch token, not a pairing. */
export const MAIN_LANE_ID = 'main';

export const RegisterIdSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9._-]{1,40}$/, 'A register is 1 to 40 letters, digits, dots, dashes or underscores.');

/** 8 characters of Crockford base32 shown as XXXX-XXXX; typed in any case, with or without the dash. */
export const PairingCodeSchema = z
  .string()
  .trim()
  .transform((code) => code.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1'))
  .pipe(
    z.string().regex(/^[0-9A-HJKMNP-TV-Z]{8}$/, 'A pairing code is 8 letters and digits, like 7KQ4-M2XD.'),
  );

export const LaneSummarySchema = z.object({
  laneId: id,
  kind: z.enum(LANE_KINDS),
  name: z.string(),
  registerId: z.string(),
  pairedAt: isoTime,
  pairedBy: z.string().nullable(),
  /** Fingerprint of the node certificate it paired over; null when it paired over plain HTTP. */
  certificateFingerprint: z.string().nullable(),
  lastSeenAt: isoTime.nullable(),
  revokedAt: isoTime.nullable(),
});
export type LaneSummary = z.infer<typeof LaneSummarySchema>;

function command<Req extends z.ZodType, Res extends z.ZodType>(spec: {
  auth: CommandAuth;
  summary: string;
  request: Req;
  response: Res;
}) {
  return spec;
}

export const LANE_COMMANDS = {
  'lane-pairing-code': command({
    auth: 'manager',
    summary:
      'A single-use code (valid for minutes) a new lane or a customer display enters to pair with this node.',
    request: z.discriminatedUnion('kind', [
      z
        .object({
          kind: z.literal('lane'),
          name: z.string().trim().min(1).max(60),
          /** The register the lane sells on; `main` belongs to the main till. */
          registerId: RegisterIdSchema,
        })
        .strict(),
      z
        .object({
          kind: z.literal('display'),
          name: z.string().trim().min(1).max(60),
          /** The register whose sale the display shows. */
          registerId: RegisterIdSchema,
        })
        .strict(),
    ]),
    response: z.object({
      code: z.string(),
      kind: z.enum(LANE_KINDS),
      name: z.string(),
      registerId: z.string(),
      expiresAt: isoTime,
      /**
       * The node's LAN certificate fingerprint (SHA-256, colon-separated hex) for the person pairing to
       * compare with what the device's browser shows; null when the node does not serve HTTPS (no --lan).
       */
      certificateFingerprint: z.string().nullable(),
    }),
  }),
  'lane-list': command({
    auth: 'manager',
    summary: 'Lanes and customer displays paired with this node, revoked ones included.',
    request: z.object({}).strict(),
    response: z.object({ lanes: z.array(LaneSummarySchema) }),
  }),
  'lane-revoke': command({
    auth: 'manager',
    summary: 'Revoke one paired lane or display: its credential stops working and its connections close.',
    request: z.object({ laneId: id }).strict(),
    response: LaneSummarySchema,
  }),
} as const;

/** `POST /lanes/pair` (JSON, small body): the device trades its pairing code for its credential. */
export const PAIR_PATH = '/lanes/pair';
export const PairRequestSchema = z.object({ code: PairingCodeSchema }).strict();
export const PairResponseSchema = z.object({
  laneId: id,
  kind: z.enum(LANE_KINDS),
  name: z.string(),
  registerId: z.string(),
  /** Kept on the device (never shown); presented as `auth: { lane: credential }` on every connection. */
  credential: z.string().min(32),
  certificateFingerprint: z.string().nullable(),
});
export type PairResponse = z.infer<typeof PairResponseSchema>;
