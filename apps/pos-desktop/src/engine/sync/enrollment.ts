import { DomainError } from '@retail/domain';
import {
  EnrollResponseSchema,
  SYNC_ENROLL_PATH,
  type EnrollRequest,
  type EnrollResponse,
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
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
}

const ErrorAnswerSchema = z.object({
  ok: z.literal(false),
  error: z.object({ code: z.string(), message: z.string() }),
});

/**
 * Trades a one-time enrollment code for this till's device credential at the hub. The credential is
 * returned to the caller to store; it is never logged. A refused code says why in HQ's words (mistyped,
 * used, expired, for another store), so the person setting up the till knows what to ask for.
 */
export async function enrollWithHub(options: EnrollOptions): Promise<EnrollResponse> {
  const fetchImpl = options.fetch ?? fetch;
  const request: Omit<EnrollRequest, 'deviceName'> & { deviceName?: string } = {
    code: options.code.trim(),
    ...(options.deviceName === undefined ? {} : { deviceName: options.deviceName }),
    ...(options.keep ?? {}),
    ...(options.retryKey === undefined ? {} : { retryKey: options.retryKey }),
  };
  let response: Response;
  try {
    response = await fetchImpl(`${options.hubUrl.replace(/\/+$/, '')}${SYNC_ENROLL_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(request),
      signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
    });
  } catch (error) {
    throw new DomainError(
      'HUB_UNAVAILABLE',
      `The hub at ${options.hubUrl} cannot be reached (${error instanceof Error ? error.message : String(error)}). Check the address and the network, then try again; the code was not used.`,
      { hubUrl: options.hubUrl },
    );
  }
  const body = (await response.json().catch(() => undefined)) as unknown;
  if (!response.ok) {
    const refused = ErrorAnswerSchema.safeParse(body);
    throw new DomainError(
      response.status === 401 ? 'UNAUTHORIZED' : response.status === 409 ? 'CONFLICT' : 'HUB_UNAVAILABLE',
      refused.success
        ? refused.data.error.message
        : `The hub refused the enrollment (HTTP ${response.status}). Ask HQ to check the hub.`,
      { status: response.status },
    );
  }
  const parsed = EnrollResponseSchema.safeParse((body as { value?: unknown } | undefined)?.value);
  if (!parsed.success) {
    throw new DomainError(
      'INTERNAL',
      'The hub answered the enrollment with something this till does not understand. Check that the till and the hub run compatible versions.',
    );
  }
  return parsed.data;
}
