import { X509Certificate } from 'node:crypto';
import { request } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { PAIR_PATH, PairResponseSchema, type PairResponse } from '../shared/lane-commands';

/**
 * Certificate pinning for lane clients that are programs (a handheld app, tools, tests), not browsers.
 * At pairing the client is told the node's certificate fingerprint out of band (the manager screen shows
 * it next to the pairing code) and refuses to send the code to anything else; afterwards it trusts that
 * one certificate and nothing else, whatever names or addresses the node has by then.
 */

/** Upper-case, colon-separated SHA-256, as Node and browsers show it; accepts any case and separators. */
export function normalizeFingerprint(fingerprint: string): string {
  const hex = fingerprint.replace(/[^0-9a-f]/gi, '').toUpperCase();
  return hex.match(/.{2}/g)?.join(':') ?? '';
}

export interface PinnedTls {
  /** The pinned certificate as the only trust anchor. */
  readonly ca: string;
  /** Replaces the host name check: the peer must present exactly the pinned certificate. */
  readonly checkServerIdentity: (host: string, certificate: { fingerprint256: string }) => Error | undefined;
}

export function pinnedTls(certificatePem: string): PinnedTls {
  const pinned = new X509Certificate(certificatePem).fingerprint256;
  return {
    ca: certificatePem,
    checkServerIdentity: (_host, certificate) =>
      certificate.fingerprint256 === pinned
        ? undefined
        : new Error(
            `The store node presented certificate ${certificate.fingerprint256}, not the pinned ${pinned}.`,
          ),
  };
}

export interface PairedLane {
  readonly pairing: PairResponse;
  /** The node's certificate, to pin from now on (`pinnedTls`). */
  readonly certificatePem: string;
}

/**
 * Pairs over HTTPS, sending the code only once the node's certificate has the fingerprint the person
 * pairing read off the main till. Trust here comes from that comparison, not from any CA.
 */
export function pairPinned(nodeUrl: string, code: string, expectedFingerprint: string): Promise<PairedLane> {
  const expected = normalizeFingerprint(expectedFingerprint);
  const body = JSON.stringify({ code });
  return new Promise((resolve, reject) => {
    const outgoing = request(new URL(PAIR_PATH, nodeUrl), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
      // Verification is the fingerprint comparison below, before anything is written; a fresh
      // connection (no agent) so there is always a handshake to check.
      rejectUnauthorized: false,
      agent: false,
    });
    let certificatePem: string | undefined;
    outgoing.on('socket', (socket) => {
      (socket as TLSSocket).once('secureConnect', () => {
        const peer = (socket as TLSSocket).getPeerX509Certificate();
        if (!peer || peer.fingerprint256 !== expected) {
          outgoing.destroy(
            new Error(
              `The store node's certificate ${peer?.fingerprint256 ?? '(none)'} is not the one shown on the main till (${expected}). Do not pair.`,
            ),
          );
          return;
        }
        certificatePem = peer.toString();
        outgoing.end(body);
      });
    });
    outgoing.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        try {
          const answer = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
            ok: boolean;
            value?: unknown;
            error?: { message?: string };
          };
          if (!answer.ok)
            throw new Error(answer.error?.message ?? `pairing refused (${response.statusCode})`);
          resolve({ pairing: PairResponseSchema.parse(answer.value), certificatePem: certificatePem! });
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
    });
    outgoing.on('error', reject);
  });
}
