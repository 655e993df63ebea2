import { z } from 'zod';
import { command, empty, id, isoTime, reason } from './command-kit';
import { type Role, ROLES } from './roles';

// Staff: signing in and out, sessions, manager overrides, staff accounts.
// Part of the command map, assembled in commands.ts.

/** Actions a manager override can authorize; the next command of that kind consumes it. */
export const OVERRIDE_ACTIONS = [
  'cash-out-over-limit',
  'price-override',
  'sale-void',
  'sale-post-void',
  'return-without-receipt',
  'redemption-over-offline-cap',
  'discount-over-limit',
  'stock-count-write-off',
] as const;
export type OverrideAction = (typeof OVERRIDE_ACTIONS)[number];

/**
 * The least role that may authorize each action. A supervisor may approve what lies within a
 * supervisor's own authority (a discount up to the supervisor's limit, a stock write-off); the rest needs
 * a manager.
 */
export const OVERRIDE_APPROVER: Readonly<Record<OverrideAction, Role>> = {
  'cash-out-over-limit': 'manager',
  'price-override': 'manager',
  'sale-void': 'manager',
  'sale-post-void': 'manager',
  'return-without-receipt': 'manager',
  'redemption-over-offline-cap': 'manager',
  'discount-over-limit': 'supervisor',
  'stock-count-write-off': 'supervisor',
};

export const StaffCodeSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9._-]{1,32}$/, 'A staff code is 1 to 32 letters, digits, dots, dashes or underscores.');
export const PinSchema = z.string().regex(/^\d{4,12}$/, 'A PIN is 4 to 12 digits.');

export const StaffSummarySchema = z.object({
  staffId: id,
  staffCode: z.string(),
  name: z.string(),
  role: z.enum(ROLES),
  active: z.boolean(),
  /** Until when the staff member is locked out after wrong PINs on the lane asking (null: not locked here). */
  lockedUntil: isoTime.nullable(),
  /** Every lane the staff member is locked out of now (wrong PINs count per lane). */
  lockouts: z.array(z.object({ laneId: z.string(), laneName: z.string(), lockedUntil: isoTime })).optional(),
});
export type StaffSummary = z.infer<typeof StaffSummarySchema>;

export const STAFF_COMMANDS = {
  'staff-sign-in': command({
    auth: 'none',
    summary: 'Sign in with staff code and PIN; returns a session for the following commands.',
    request: z.object({ staffCode: StaffCodeSchema, pin: PinSchema }).strict(),
    response: z.object({ session: z.string(), expiresAt: isoTime, staff: StaffSummarySchema }),
  }),
  'staff-session': command({
    auth: 'cashier',
    summary: 'The staff member the session belongs to.',
    request: empty,
    response: z.object({ staff: StaffSummarySchema, expiresAt: isoTime }),
  }),
  'staff-sign-out': command({
    auth: 'cashier',
    summary: 'End the session.',
    request: empty,
    response: z.object({ signedOutAt: isoTime }),
  }),
  'staff-override': command({
    auth: 'cashier',
    summary: 'A manager authorizes one action with their PIN; the next command of that kind consumes it.',
    request: z
      .object({
        managerCode: StaffCodeSchema,
        managerPin: PinSchema,
        action: z.enum(OVERRIDE_ACTIONS),
        reason,
      })
      .strict(),
    response: z.object({
      overrideId: id,
      action: z.enum(OVERRIDE_ACTIONS),
      managerId: id,
      managerName: z.string(),
      expiresAt: isoTime,
    }),
  }),
  'staff-create': command({
    auth: 'manager',
    summary: 'Add a staff member with a role and PIN.',
    request: z
      .object({
        staffCode: StaffCodeSchema,
        name: z.string().trim().min(1).max(100),
        role: z.enum(ROLES),
        pin: PinSchema,
      })
      .strict(),
    response: StaffSummarySchema,
  }),
  'staff-unlock': command({
    auth: 'manager',
    summary: 'Lift a PIN lockout: on one lane, or on every lane when no lane is given.',
    request: z.object({ staffCode: StaffCodeSchema, laneId: id.optional() }).strict(),
    response: StaffSummarySchema,
  }),
  'staff-list': command({
    auth: 'supervisor',
    summary: 'All staff with role and lockout state.',
    request: empty,
    response: z.object({ staff: z.array(StaffSummarySchema) }),
  }),
} as const;
