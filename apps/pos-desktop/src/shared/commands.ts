import { z } from 'zod';
import { BOPIS_COMMANDS } from './bopis-commands';
import { CATALOG_COMMANDS } from './catalog-commands';
import { LANE_COMMANDS } from './lane-commands';
import { LOYALTY_COMMANDS } from './loyalty-commands';
import { NODE_COMMANDS } from './node-commands';
import { ORDER_RETURN_COMMANDS } from './order-return-commands';
import { RECEIPT_COMMANDS } from './receipt-commands';
import { RETURN_COMMANDS } from './return-commands';
import type { Role } from './roles';
import { SALE_COMMANDS } from './sale-commands';
import { SHIFT_COMMANDS } from './shift-commands';
import { STAFF_COMMANDS } from './staff-commands';
import { STOCK_COMMANDS } from './stock-commands';

/**
 * The store node's command contract: one typed map shared by the engine (which implements it), the
 * socket.io server (which validates it at the edge) and every client (renderer, tests, benchmarks).
 * Names are kebab-case, noun first. Amounts are integer minor units of the node's currency (see
 * `node-info`); quantities are integers in the SKU's counting unit (pieces, or grams for `kg` SKUs).
 * Requests hold amounts and quantities to the domain's bounds (packages/domain/src/bounds.ts), the ones
 * the hub's push validator uses; responses report running figures (levels, shift totals) as safe integers.
 */

export { ROLES, type CommandAuth, type Role } from './roles';
// Each job's commands and the schemas of what they answer live in their own file; importers keep using
// this module for all of them.
export * from './catalog-commands';
export * from './node-commands';
export * from './receipt-commands';
export * from './return-commands';
export * from './sale-commands';
export * from './shift-commands';
export * from './staff-commands';
export * from './stock-commands';

export const STORE_COMMANDS = {
  ...NODE_COMMANDS,
  ...STAFF_COMMANDS,
  ...SHIFT_COMMANDS,
  ...STOCK_COMMANDS,
  ...SALE_COMMANDS,
  ...RETURN_COMMANDS,
  ...RECEIPT_COMMANDS,
  ...CATALOG_COMMANDS,
  ...BOPIS_COMMANDS,
  ...ORDER_RETURN_COMMANDS,
  ...LOYALTY_COMMANDS,
  ...LANE_COMMANDS,
} as const;

export type StoreCommands = typeof STORE_COMMANDS;
export type CommandName = keyof StoreCommands;
export const COMMAND_NAMES = Object.keys(STORE_COMMANDS) as CommandName[];
/** What a caller sends (defaults may be left out). */
export type CommandInput<N extends CommandName> = z.input<StoreCommands[N]['request']>;
/** What a handler receives, after validation and defaults. */
export type CommandRequest<N extends CommandName> = z.output<StoreCommands[N]['request']>;
export type CommandResponse<N extends CommandName> = z.output<StoreCommands[N]['response']>;

export function isCommandName(name: string): name is CommandName {
  return Object.prototype.hasOwnProperty.call(STORE_COMMANDS, name);
}

export const ROLE_RANK: Readonly<Record<Role, number>> = { cashier: 1, supervisor: 2, manager: 3 };

/** The socket.io event that carries commands, and its payload: `socket.emit('command', message, ack)`. */
export const COMMAND_EVENT = 'command';
export const CommandMessageSchema = z.object({
  name: z.string().min(1).max(60),
  input: z.unknown(),
  /** The session from `staff-sign-in`, for commands that need a signed-in staff member. */
  session: z.string().min(1).max(200).optional(),
});
export type CommandMessage = z.infer<typeof CommandMessageSchema>;
