import type { IncomingMessage, ServerResponse } from 'node:http';
import { DomainError, toErrorBody } from '@retail/domain';
import { PairRequestSchema } from '../shared/lane-commands';
import type { EngineLogger, StoreEngine } from '../engine/engine';

/** A pairing request is a code of a few bytes: anything bigger is not one and is not read. */
export const PAIR_BODY_LIMIT = 1024;

const STATUS: Readonly<Record<string, number>> = {
  INVALID_INPUT: 400,
  UNAUTHORIZED: 401,
  CONFLICT: 409,
};

function answer(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
  });
  response.end(JSON.stringify(body));
}

function fail(response: ServerResponse, status: number, error: DomainError): void {
  answer(response, status, { ok: false, error: error.toJSON() });
}

/**
 * `POST /lanes/pair`: a device trades the code a manager showed it for its own credential. JSON only (a
 * form post from another site cannot send it), the body capped before it is parsed, the answer never
 * cached. The credential is in this answer once; the node keeps only its hash.
 */
export function handlePairRequest(
  request: IncomingMessage,
  response: ServerResponse,
  engine: StoreEngine,
  certificateFingerprint: string | null,
  log: EngineLogger | undefined,
): void {
  if (request.method !== 'POST') {
    response.setHeader('Allow', 'POST');
    fail(response, 405, new DomainError('INVALID_INPUT', 'lane.pairPostCodeXxxx'));
    return;
  }
  if (!(request.headers['content-type'] ?? '').toLowerCase().startsWith('application/json')) {
    fail(response, 415, new DomainError('INVALID_INPUT', 'lane.sendPairingCodeJson'));
    return;
  }
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > PAIR_BODY_LIMIT) {
    fail(response, 413, new DomainError('INVALID_INPUT', 'lane.tooLargePairingRequest'));
    request.destroy();
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let refused = false;
  request.on('data', (chunk: Buffer) => {
    if (refused) return;
    size += chunk.length;
    if (size > PAIR_BODY_LIMIT) {
      refused = true;
      fail(response, 413, new DomainError('INVALID_INPUT', 'lane.tooLargePairingRequest'));
      request.destroy();
      return;
    }
    chunks.push(chunk);
  });
  request.on('end', () => {
    if (refused) return;
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      fail(response, 400, new DomainError('INVALID_INPUT', 'lane.sendPairingCodeJson2'));
      return;
    }
    const parsed = PairRequestSchema.safeParse(body);
    if (!parsed.success) {
      fail(
        response,
        400,
        new DomainError(
          'INVALID_INPUT',
          parsed.error.issues[0] ? 'lane.pairingIssue' : 'lane.notPairingCode',
          parsed.error.issues[0] ? { issue: parsed.error.issues[0].message } : {},
        ),
      );
      return;
    }
    try {
      const outcome = engine.pairDevice(parsed.data.code, certificateFingerprint);
      if (!outcome.ok) {
        log?.warn({ address: request.socket.remoteAddress, code: outcome.error.code }, 'pairing refused');
        fail(response, STATUS[outcome.error.code] ?? 400, outcome.error);
        return;
      }
      log?.info(
        { laneId: outcome.value.laneId, kind: outcome.value.kind, address: request.socket.remoteAddress },
        'device paired',
      );
      answer(response, 200, { ok: true, value: outcome.value });
    } catch (error) {
      log?.error({ err: error }, 'pairing failed');
      answer(response, 500, { ok: false, error: toErrorBody(error) });
    }
  });
  request.on('error', () => undefined);
}
