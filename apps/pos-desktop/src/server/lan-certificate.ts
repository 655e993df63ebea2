import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import { generate } from 'selfsigned';
import type { StoreEngine } from '../engine/engine';
import { readLanCertificate, saveLanCertificate, type StoredLanCertificate } from '../engine/lanes/lanes';

/** Five years: lanes pin this certificate, so replacing it means pairing every lane again. */
export const LAN_CERTIFICATE_DAYS = 5 * 365;
/** Renewed this long before it expires, at a node start, so lanes are never cut off by surprise. */
const RENEW_BEFORE_MS = 30 * 86_400_000;

export interface LanCertificate {
  readonly cert: string;
  readonly key: string;
  /** SHA-256 of the DER certificate, colon-separated upper-case hex (as browsers and Node show it). */
  readonly fingerprint: string;
  readonly subjectAltNames: readonly string[];
  readonly notAfter: string;
}

/** The names a lane may reach this machine by: its host name(s), localhost, and every address it has now. */
export function localNames(): string[] {
  const name = hostname().toLowerCase();
  const addresses = Object.values(networkInterfaces())
    .flat()
    .filter((entry) => entry !== undefined)
    .map((entry) => entry.address.split('%')[0]!);
  const names = new Set(['localhost', name, ...(name.includes('.') ? [] : [`${name}.local`])]);
  for (const address of ['127.0.0.1', '::1', ...addresses]) names.add(address);
  return [...names];
}

function toLanCertificate(stored: StoredLanCertificate): LanCertificate {
  return {
    cert: stored.certificatePem,
    key: stored.privateKeyPem,
    fingerprint: stored.fingerprint,
    subjectAltNames: stored.subjectAltNames,
    notAfter: new Date(stored.notAfterMs).toISOString(),
  };
}

/**
 * The node's certificate for HTTPS/WSS on the store LAN: generated once (EC P-256, SHA-256, self-signed,
 * for this machine's names and addresses) and kept in the node's database with the lane credentials, so
 * restarts and restored backups keep the fingerprint the lanes paired against. A certificate that expires
 * within 30 days is replaced (lanes then compare the new fingerprint when they pair again).
 */
export async function loadOrCreateLanCertificate(
  engine: StoreEngine,
  names: readonly string[] = localNames(),
): Promise<LanCertificate> {
  const nowMs = engine.clock.now();
  const stored = readLanCertificate(engine.db);
  if (stored && stored.notAfterMs - RENEW_BEFORE_MS > nowMs) return toLanCertificate(stored);
  const notBefore = new Date(nowMs - 60_000);
  const notAfter = new Date(nowMs + LAN_CERTIFICATE_DAYS * 86_400_000);
  const commonName = names.find((name) => isIP(name) === 0 && name !== 'localhost') ?? 'pos-store';
  const generated = await generate([{ name: 'commonName', value: `POS store node ${commonName}` }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: notBefore,
    notAfterDate: notAfter,
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: names.map((name) => (isIP(name) === 0 ? { type: 2, value: name } : { type: 7, ip: name })),
      },
    ],
  });
  const certificate: StoredLanCertificate = {
    certificatePem: generated.cert,
    privateKeyPem: generated.private,
    fingerprint: new X509Certificate(generated.cert).fingerprint256,
    subjectAltNames: [...names],
    createdAtMs: nowMs,
    notAfterMs: Date.parse(new X509Certificate(generated.cert).validTo),
  };
  saveLanCertificate(engine.db, certificate);
  return toLanCertificate(certificate);
}
