import type { ClientCredential } from '../../shared/command-client';
import type { PairResponse } from '../../shared/lane-commands';
import type { DesktopBridge } from '../../shared/desktop-bridge';

/** Where this screen finds its store node and how it proves who it is. */
export type ConnectionPlan =
  | {
      readonly kind: 'desktop';
      readonly url: string;
      readonly credential: ClientCredential;
      readonly registerId: string;
    }
  | {
      readonly kind: 'browser';
      readonly url: string;
      readonly credential: ClientCredential;
      readonly registerId: string;
    }
  | { readonly kind: 'pairing'; readonly url: string; readonly registerId: string };

export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export const STORAGE_KEYS = {
  /** The node's launch token, from a pairing link opened on the main till's own machine. */
  token: 'pos.pairing.token',
  /** This lane's own credential from `POST /lanes/pair`. */
  lane: 'pos.lane.credential',
  laneName: 'pos.lane.name',
  registerId: 'pos.registerId',
  /** The certificate fingerprint the lane paired over, shown on the pairing and lanes screens. */
  certificate: 'pos.lane.certificate',
} as const;
export const DEFAULT_REGISTER_ID = 'main';

const REGISTER_PATTERN = /^[A-Za-z0-9._-]{1,40}$/;

export interface PlanInput {
  readonly bridge: DesktopBridge | undefined;
  /** The page address (the store node serves the renderer, so its origin is the node). */
  readonly href: string;
  readonly storage: KeyValueStorage;
}

export interface Plan {
  readonly plan: ConnectionPlan;
  /** The address without the pairing parameters, to put in the history so the token does not linger there. */
  readonly cleanHref: string | null;
}

/**
 * Decides how to connect. In Electron the preload hands over the local node's URL and launch token. A
 * lane or handheld that paired with a code (`POST /lanes/pair`) uses its own credential and the register
 * it was paired as. A browser on the main till's own machine may still open the link with the launch
 * token (`?token=...&register=...`, taken out of the address bar at once). Otherwise: the pairing screen.
 */
export function planConnection({ bridge, href, storage }: PlanInput): Plan {
  const url = new URL(href);
  const registerParam = url.searchParams.get('register');
  const tokenParam = url.searchParams.get('token');
  let cleanHref: string | null = null;
  if (tokenParam !== null || registerParam !== null) {
    url.searchParams.delete('token');
    url.searchParams.delete('register');
    cleanHref = url.toString();
  }
  const lane = storage.getItem(STORAGE_KEYS.lane);
  // A paired lane's register is the one it was paired as; the address cannot move it.
  if (registerParam !== null && REGISTER_PATTERN.test(registerParam) && lane === null) {
    storage.setItem(STORAGE_KEYS.registerId, registerParam);
  }
  const storedRegister = storage.getItem(STORAGE_KEYS.registerId);
  const registerId =
    storedRegister !== null && REGISTER_PATTERN.test(storedRegister) ? storedRegister : DEFAULT_REGISTER_ID;
  if (bridge) {
    return {
      plan: { kind: 'desktop', url: bridge.url, credential: { token: bridge.token }, registerId },
      cleanHref,
    };
  }
  const origin = url.origin;
  if (lane !== null && lane !== '') {
    return { plan: { kind: 'browser', url: origin, credential: { lane }, registerId }, cleanHref };
  }
  if (tokenParam !== null && tokenParam.trim() !== '') storage.setItem(STORAGE_KEYS.token, tokenParam.trim());
  const token = storage.getItem(STORAGE_KEYS.token);
  if (token === null || token === '')
    return { plan: { kind: 'pairing', url: origin, registerId }, cleanHref };
  return { plan: { kind: 'browser', url: origin, credential: { token }, registerId }, cleanHref };
}

/** Keeps what pairing gave this lane: its credential, name, register and the certificate it paired over. */
export function saveLanePairing(storage: KeyValueStorage, paired: PairResponse): void {
  storage.removeItem(STORAGE_KEYS.token);
  storage.setItem(STORAGE_KEYS.lane, paired.credential);
  storage.setItem(STORAGE_KEYS.laneName, paired.name);
  storage.setItem(STORAGE_KEYS.registerId, paired.registerId);
  if (paired.certificateFingerprint === null) storage.removeItem(STORAGE_KEYS.certificate);
  else storage.setItem(STORAGE_KEYS.certificate, paired.certificateFingerprint);
}

/** A refused credential (revoked lane, or a node restarted with a new launch token) is forgotten. */
export function forgetPairing(storage: KeyValueStorage): void {
  storage.removeItem(STORAGE_KEYS.token);
  storage.removeItem(STORAGE_KEYS.lane);
  storage.removeItem(STORAGE_KEYS.laneName);
}

export function isValidRegisterId(registerId: string): boolean {
  return REGISTER_PATTERN.test(registerId);
}
