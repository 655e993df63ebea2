import type { ErrorBody } from '@retail/domain';
import { createErrorText } from '@retail/i18n';
import { describe, expect, it } from 'vitest';
import { errorText } from '../i18n/translate';
import { createHubApi } from './hub-api';

function apiWith(fetch: typeof globalThis.fetch, token: string | null = 'hs_t') {
  const unauthorized: ErrorBody[] = [];
  const api = createHubApi({
    fetch,
    token: () => token,
    onUnauthorized: (error) => unauthorized.push(error),
  });
  return { api, unauthorized };
}

const answer = (status: number, body: unknown) =>
  Promise.resolve(
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } }),
  );

describe('hub-api', () => {
  describe('createHubApi', () => {
    it('sends the session token and JSON, and unwraps the value of a success envelope', async () => {
      const seen: { url: string; init: RequestInit }[] = [];
      const { api } = apiWith((url, init = {}) => {
        seen.push({ url: String(url), init });
        return answer(200, { ok: true, value: { exceptionId: 'e1' } });
      });
      expect(await api.resolveException('e 1', 'Counted the shelf.')).toEqual({
        ok: true,
        value: { exceptionId: 'e1' },
      });
      expect(seen[0]?.url).toBe('/api/exceptions/e%201/resolve');
      expect(seen[0]?.init.method).toBe('POST');
      expect(new Headers(seen[0]?.init.headers).get('authorization')).toBe('Bearer hs_t');
      expect(seen[0]?.init.body).toBe(JSON.stringify({ note: 'Counted the shelf.' }));
    });

    it('leaves out filters that are not set', async () => {
      const urls: string[] = [];
      const { api } = apiWith((url) => {
        urls.push(String(url));
        return answer(200, { ok: true, value: [] });
      });
      await api.exceptions({ status: 'open', type: undefined, nodeId: undefined });
      expect(urls).toEqual(['/api/exceptions?limit=500&status=open']);
    });

    it('answers the hub’s own error, and reports a refused session except on sign-in itself', async () => {
      const refused = { code: 'UNAUTHORIZED', message: 'The session has expired; sign in again.' };
      const { api, unauthorized } = apiWith(() => answer(401, { ok: false, error: refused }));
      expect(await api.nodes()).toEqual({ ok: false, error: refused });
      expect(unauthorized).toEqual([refused]);
      await api.login('ana', 'wrong');
      expect(unauthorized).toHaveLength(1);
    });

    it('keeps the key and params of a hub error, so the dashboard can say it in its own language', async () => {
      const missing = {
        code: 'NOT_FOUND',
        message: 'There is no GET /api/nope endpoint.',
        key: 'hub.api.noSuchEndpoint',
        params: { method: 'GET', path: '/api/nope' },
      };
      const { api } = apiWith(() => answer(404, { ok: false, error: missing }));
      const result = await api.nodes();
      expect(result).toEqual({ ok: false, error: missing });
      if (result.ok) return;
      expect(errorText(result.error)).toBe('There is no GET /api/nope endpoint.');
      const german = createErrorText(
        { 'hub.api.noSuchEndpoint': 'Es gibt keinen Endpunkt {method} {path}.' },
        'de',
      );
      expect(german(result.error)).toBe('Es gibt keinen Endpunkt GET /api/nope.');
    });

    it('turns a network failure or a body that is not the hub’s envelope into a sentence', async () => {
      const offline = apiWith(() => Promise.reject(new TypeError('Failed to fetch'))).api;
      expect(await offline.devices()).toEqual({
        ok: false,
        error: {
          code: 'HUB_UNAVAILABLE',
          message: 'The hub cannot be reached. Check the network connection and try again.',
        },
      });
      const proxy = apiWith(() =>
        Promise.resolve(new Response('<html>Bad gateway</html>', { status: 502 })),
      ).api;
      expect(await proxy.devices()).toEqual({
        ok: false,
        error: {
          code: 'INTERNAL',
          message: 'The hub answered with an unexpected error (HTTP 502). Try again in a moment.',
        },
      });
    });
  });
});
