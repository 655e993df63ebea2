import { z } from 'zod';
import { DomainError } from '@retail/domain';
import type { HubContext } from '../hub-context';
import type { Executor } from '../storage/storage';
import { hashPassword, hashToken, needsRehash, newSecret, verifyPassword } from './secrets';

export const HQ_ROLES = ['viewer', 'operator', 'admin'] as const;
export type HqRole = (typeof HQ_ROLES)[number];

export function roleAtLeast(role: HqRole, required: HqRole): boolean {
  return HQ_ROLES.indexOf(role) >= HQ_ROLES.indexOf(required);
}

export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

const username = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{1,63}$/, 'Use 2–64 lower-case letters, digits, dots, dashes or underscores.');
const password = z.string().min(10, 'A password needs at least 10 characters.').max(200);

export const CreateUserSchema = z.object({ username, password, role: z.enum(HQ_ROLES) });
export const UpdateUserSchema = z
  .object({
    role: z.enum(HQ_ROLES).optional(),
    active: z.boolean().optional(),
    password: password.optional(),
  })
  .refine((update) => Object.keys(update).length > 0, { message: 'Say what to change.' });
export const LoginSchema = z.object({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(200),
});

export const HqUserSchema = z.object({
  userId: z.string(),
  username: z.string(),
  role: z.enum(HQ_ROLES),
  active: z.boolean(),
  createdAt: z.number().int(),
});
export type HqUser = z.infer<typeof HqUserSchema>;

function toUser(row: {
  user_id: string;
  username: string;
  role: string;
  active: number;
  created_at: number;
}): HqUser {
  return {
    userId: row.user_id,
    username: row.username,
    role: row.role as HqRole,
    active: row.active === 1,
    createdAt: Number(row.created_at),
  };
}

export async function createUser(hub: HubContext, input: z.infer<typeof CreateUserSchema>): Promise<HqUser> {
  const existing = await hub.storage.db
    .selectFrom('hq_users')
    .select('user_id')
    .where('username', '=', input.username)
    .executeTakeFirst();
  if (existing !== undefined)
    throw new DomainError(
      'CONFLICT',
      'hub.auth.userAlreadyExists',
      { username: input.username },
      { username: input.username },
    );
  const now = hub.now();
  const row = {
    user_id: hub.newId(),
    username: input.username,
    password_hash: await hashPassword(input.password),
    role: input.role,
    active: 1,
    created_at: now,
    updated_at: now,
  };
  await hub.storage.db.insertInto('hq_users').values(row).execute();
  return toUser(row);
}

export async function updateUser(
  hub: HubContext,
  userId: string,
  update: z.infer<typeof UpdateUserSchema>,
): Promise<HqUser> {
  const changes = {
    ...(update.role === undefined ? {} : { role: update.role }),
    ...(update.active === undefined ? {} : { active: update.active ? 1 : 0 }),
    ...(update.password === undefined ? {} : { password_hash: await hashPassword(update.password) }),
    updated_at: hub.now(),
  };
  return hub.storage.transaction(async (trx) => {
    const result = await trx
      .updateTable('hq_users')
      .set(changes)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0)
      throw new DomainError('NOT_FOUND', 'hub.auth.noUser', { userId }, { userId });
    // A new password or a deactivation ends every open session of that user.
    if (update.password !== undefined || update.active === false) {
      await trx.deleteFrom('sessions').where('user_id', '=', userId).execute();
    }
    const row = await trx
      .selectFrom('hq_users')
      .selectAll()
      .where('user_id', '=', userId)
      .executeTakeFirstOrThrow();
    return toUser(row);
  });
}

export async function listUsers(executor: Executor): Promise<HqUser[]> {
  const rows = await executor.selectFrom('hq_users').selectAll().orderBy('username').execute();
  return rows.map(toUser);
}

/** Checks the password (scrypt) and opens a session; the token is returned once and stored hashed. */
export async function login(
  hub: HubContext,
  credentials: z.infer<typeof LoginSchema>,
): Promise<{ token: string; expiresAt: number; user: HqUser }> {
  const row = await hub.storage.db
    .selectFrom('hq_users')
    .selectAll()
    .where('username', '=', credentials.username)
    .executeTakeFirst();
  // Verify against a throwaway hash when the user does not exist so timing does not reveal user names.
  const stored = row?.password_hash ?? (await dummyHash());
  const valid = await verifyPassword(credentials.password, stored);
  if (row === undefined || !valid) throw new DomainError('UNAUTHORIZED', 'hub.auth.userNameOrPasswordWrong');
  if (row.active !== 1) throw new DomainError('FORBIDDEN', 'hub.auth.accountDeactivatedAsk');
  if (needsRehash(row.password_hash)) await rehash(hub, row.user_id, row.password_hash, credentials.password);
  const token = `hs_${newSecret()}`;
  const now = hub.now();
  const expiresAt = now + SESSION_TTL_MS;
  await hub.storage.db
    .insertInto('sessions')
    .values({ token_hash: hashToken(token), user_id: row.user_id, created_at: now, expires_at: expiresAt })
    .execute();
  return { token, expiresAt, user: toUser(row) };
}

let dummy: Promise<string> | undefined;

/** Made with today's parameters, so an unknown name costs exactly what a known one does. */
function dummyHash(): Promise<string> {
  dummy ??= hashPassword(newSecret());
  return dummy;
}

/**
 * The password was just verified against a hash of an older scheme or weaker parameters: store it again
 * with today's. Only if the hash is still the one verified, so a password changed meanwhile stays changed.
 */
async function rehash(hub: HubContext, userId: string, verified: string, password: string): Promise<void> {
  await hub.storage.db
    .updateTable('hq_users')
    .set({ password_hash: await hashPassword(password), updated_at: hub.now() })
    .where('user_id', '=', userId)
    .where('password_hash', '=', verified)
    .execute();
}

export async function logout(hub: HubContext, token: string): Promise<void> {
  await hub.storage.db.deleteFrom('sessions').where('token_hash', '=', hashToken(token)).execute();
}

const SESSION_TOKEN = /^hs_[A-Za-z0-9_-]{43}$/;

export async function authenticateSession(hub: HubContext, token: string): Promise<HqUser> {
  // Anything not shaped like a token we minted is refused without a lookup.
  if (!SESSION_TOKEN.test(token)) throw new DomainError('UNAUTHORIZED', 'hub.auth.sessionEnded');
  const row = await hub.storage.db
    .selectFrom('sessions')
    .innerJoin('hq_users', 'hq_users.user_id', 'sessions.user_id')
    .select([
      'hq_users.user_id',
      'hq_users.username',
      'hq_users.role',
      'hq_users.active',
      'hq_users.created_at',
      'sessions.expires_at',
    ])
    .where('sessions.token_hash', '=', hashToken(token))
    .executeTakeFirst();
  if (row === undefined || row.expires_at <= hub.now() || row.active !== 1) {
    throw new DomainError('UNAUTHORIZED', 'hub.auth.sessionEnded');
  }
  return toUser(row);
}

/** Drops sessions past their end (the `serve` loop calls this); an expired token is refused anyway. */
export async function purgeExpiredSessions(hub: HubContext): Promise<number> {
  const result = await hub.storage.db
    .deleteFrom('sessions')
    .where('expires_at', '<=', hub.now())
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
