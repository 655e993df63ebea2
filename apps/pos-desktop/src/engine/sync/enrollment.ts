import { DomainError } from '@retail/domain';
import {
  EnrollResponseSchema,
  SYNC_ENROLL_PATH,
  SYNC_REENROLL_PATH,
  type EnrollRequest,
  type EnrollResponse,
  type RestoredDevice,
} from '@retail/sync';
import { z } from 'zod';

export interface EnrollOptions {
  readonly hubUrl: string;
  /** The one-time code HQ gave out (`pos-hub enroll-code --store CODE`). */
  readonly code: string;
  readonly deviceName?: string;
  /** A till set up before enrollment keeps its device id, number and store (the hub checks them). */
  readonly keep?: { readonly deviceId: string; readonly deviceNo: number; readonly storeId: string };
  /**
   * A random key saved before this call: if the till dies before it stores the answer, calling again with
   * the same code and key gets the same device (with a new credential) instead of "code already used".
   */
  readonly retryKey?: string;
  /**
   * A till that already is a device of the store (restored from a backup, or revoked) becomes a new one
   * and reports what it holds of the old one, so the hub can say which of its events to send again.
   */
  readonly replaces?: RestoredDevice;
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
}

const ErrorAnswerSchema = z.object({
  ok: z.literal(false),
  error: z.object({
    code: z.string(),
    message: z.string(),
    key: z.string().optional(),
    params: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
  }),
});

/**
 * Trades a one-time enrollment code for this till's device credential at the hub. The credential is
 * returned to the caller to store; it is never logged. A refused code says why in HQ's words (mistyped,
 * used, expired, for another store), so the person setting up the till knows what to ask for.
 */
export async function enrollWithHub(options: EnrollOptions): Promise<EnrollResponse> {
  const request: Omit<EnrollRequest, 'deviceName'> & { deviceName?: string } = {
    code: options.code.trim(),
    ...(options.deviceName === undefined ? {} : { deviceName: options.deviceName }),
    ...(options.keep ?? {}),
    ...(options.retryKey === undefined ? {} : { retryKey: options.retryKey }),
    ...(options.replaces === undefined ? {} : { replaces: options.replaces }),
  };
  return postToHub(options, SYNC_ENROLL_PATH, request, {});
}

export interface ReEnrollOptions {
  readonly hubUrl: string;
  /** The credential of the device this till is now; the hub revokes it once the successor exists. */
  readonly credential: string;
  readonly restored: RestoredDevice;
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
}

/**
 * A till restored from a backup asks the hub, with its own credential, to become a new device of its
 * store (`POST /sync/re-enroll`). The answer carries the successor's credential (never logged) and which
 * of the till's events the hub already holds (`replaced`).
 */
export async function reEnrollWithHub(options: ReEnrollOptions): Promise<EnrollResponse> {
  const answer = await postToHub(
    options,
    SYNC_REENROLL_PATH,
    { restored: options.restored },
    { authorization: `Bearer ${options.credential}` },
  );
  if (answer.replaced === undefined) {
    throw new DomainError('INTERNAL', 'sync.hubAnsweredReEnrollment2');
  }
  return answer;
}

async function postToHub(
  options: { readonly hubUrl: string; readonly fetch?: typeof fetch; readonly timeoutMs?: number },
  path: string,
  payload: unknown,
  headers: Record<string, string>,
): Promise<EnrollResponse> {
  const fetchImpl = options.fetch ?? fetch;
  let response: Response;
  try {
    response = await fetchImpl(`${options.hubUrl.replace(/\/+$/, '')}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
    });
  } catch (error) {
    throw new DomainError(
      'HUB_UNAVAILABLE',
      'sync.hubCannotReachedCheck',
      { hubUrl: options.hubUrl, message: error instanceof Error ? error.message : String(error) },
      { hubUrl: options.hubUrl },
    );
  }
  const body = (await response.json().catch(() => undefined)) as unknown;
  if (!response.ok) {
    const refused = ErrorAnswerSchema.safeParse(body);
    const code =
      response.status === 401 ? 'UNAUTHORIZED' : response.status === 409 ? 'CONFLICT' : 'HUB_UNAVAILABLE';
    throw refused.success
      ? DomainError.fromBody({ ...refused.data.error, code, details: { status: response.status } })
      : new DomainError(
          code,
          'sync.hubRefusedEnrollment',
          { status: response.status },
          { status: response.status },
        );
  }
  const parsed = EnrollResponseSchema.safeParse((body as { value?: unknown } | undefined)?.value);
  if (!parsed.success) {
    throw new DomainError('INTERNAL', 'sync.hubAnsweredEnrollmentSomething');
  }
  return parsed.data;
}
