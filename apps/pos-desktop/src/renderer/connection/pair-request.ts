import { isErrorCode, type Result } from '@retail/domain';
import { PAIR_PATH, PairResponseSchema, type PairResponse } from '../../shared/lane-commands';
import { t } from '../i18n/translate';

/** Trades a pairing code for this device's credential. */
export type PairDevice = (code: string) => Promise<Result<PairResponse>>;

/**
 * `POST /lanes/pair` on the node that served this page (same origin: the browser sends its Origin and
 * the node checks it). The answer is the node's result envelope; anything else is reported, not trusted.
 */
export function pairWithNode(origin: string, fetchImpl: typeof fetch = fetch): PairDevice {
  return async (code) => {
    let response: Response;
    try {
      response = await fetchImpl(new URL(PAIR_PATH, origin), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ code }),
        cache: 'no-store',
        credentials: 'omit',
      });
    } catch {
      return { ok: false, error: { code: 'INTERNAL', message: t('pairing.unreachable') } };
    }
    const body = (await response.json().catch(() => null)) as {
      ok?: unknown;
      value?: unknown;
      error?: { code?: unknown; message?: unknown };
    } | null;
    if (body?.ok === true) {
      const parsed = PairResponseSchema.safeParse(body.value);
      if (parsed.success) return { ok: true, value: parsed.data };
    }
    if (body?.ok === false && typeof body.error?.message === 'string') {
      return {
        ok: false,
        error: {
          code: isErrorCode(body.error.code) ? body.error.code : 'INTERNAL',
          message: body.error.message,
        },
      };
    }
    return { ok: false, error: { code: 'INTERNAL', message: t('pairing.unreachable') } };
  };
}
