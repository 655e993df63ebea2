import type { Kysely } from 'kysely';
import type { BackendKind } from '../backend-kind';

/**
 * A till that dies between the hub using its enrollment code and writing the credential it got back would
 * otherwise hold nothing while HQ lists a device for it. The till now sends a random key it saved before
 * calling; the hub keeps its hash with the used code, and the same code with the same key answers the same
 * device again (with a new credential) while the code has not expired.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema types
export async function up(db: Kysely<any>, _kind: BackendKind): Promise<void> {
  await db.schema.alterTable('enrollment_codes').addColumn('retry_key_hash', 'text').execute();
}
