/** Staff roles, lowest first: a command names the lowest role that may run it. */
export const ROLES = ['cashier', 'supervisor', 'manager'] as const;
export type Role = (typeof ROLES)[number];
/** Who may run a command: anyone (`none`), or a signed-in staff member with at least this role. */
export type CommandAuth = 'none' | Role;
