import type { DesktopBridge } from '../devices/desktop-bridge';

/** Where this screen finds its store node and the access token it must present. */
export type ConnectionPlan =
  | { readonly kind: 'desktop'; readonly url: string; readonly token: string; readonly registerId: string }
  | { readonly kind: 'browser'; readonly url: string; readonly token: string; readonly registerId: string }
  | { readonly kind: 'pairing'; readonly url: string; readonly registerId: string };

export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export const STORAGE_KEYS = { token: 'pos.pairing.token', registerId: 'pos.registerId' } as const;
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
 * Decides how to connect. In Electron the preload hands over the local node's URL and token. A lane or
 * handheld opens the pairing link the store node prints (`http://node:7420/?token=...&register=lane-2`):
 * the token and register are remembered on this device and removed from the address bar. Without either,
 * the pairing screen asks for the token.
 */
export function planConnection({ bridge, href, storage }: PlanInput): Plan {
  const url = new URL(href);
  const registerParam = url.searchParams.get('register');
  if (registerParam !== null && REGISTER_PATTERN.test(registerParam)) {
    storage.setItem(STORAGE_KEYS.registerId, registerParam);
  }
  const storedRegister = storage.getItem(STORAGE_KEYS.registerId);
  const registerId =
    storedRegister !== null && REGISTER_PATTERN.test(storedRegister) ? storedRegister : DEFAULT_REGISTER_ID;
  const tokenParam = url.searchParams.get('token');
  let cleanHref: string | null = null;
  if (tokenParam !== null || registerParam !== null) {
    url.searchParams.delete('token');
    url.searchParams.delete('register');
    cleanHref = url.toString();
  }
  if (bridge)
    return { plan: { kind: 'desktop', url: bridge.url, token: bridge.token, registerId }, cleanHref };
  const origin = url.origin;
  if (tokenParam !== null && tokenParam.trim() !== '') storage.setItem(STORAGE_KEYS.token, tokenParam.trim());
  const token = storage.getItem(STORAGE_KEYS.token);
  if (token === null || token === '')
    return { plan: { kind: 'pairing', url: origin, registerId }, cleanHref };
  return { plan: { kind: 'browser', url: origin, token, registerId }, cleanHref };
}

/** Pairs this device by hand (the token typed or pasted from the store node's console). */
export function savePairing(storage: KeyValueStorage, token: string, registerId: string): void {
  storage.setItem(STORAGE_KEYS.token, token.trim());
  if (REGISTER_PATTERN.test(registerId)) storage.setItem(STORAGE_KEYS.registerId, registerId);
}

/** A refused token (the node restarted with a new one) is forgotten so the pairing screen shows. */
export function forgetPairing(storage: KeyValueStorage): void {
  storage.removeItem(STORAGE_KEYS.token);
}

export function isValidRegisterId(registerId: string): boolean {
  return REGISTER_PATTERN.test(registerId);
}
