import type { Rectangle } from './window-state';

export interface DisplayScreen {
  readonly id: number;
  readonly bounds: Rectangle;
}

/**
 * Where the customer display goes: the first screen that is not the one the till's own window is on.
 * With a single screen there is no customer display (it would cover the till).
 */
export function customerScreen(
  screens: readonly DisplayScreen[],
  tillScreenId: number | undefined,
): DisplayScreen | null {
  return screens.find((candidate) => candidate.id !== tillScreenId) ?? null;
}

/** The register whose sale the Electron till's customer display shows (the till's own). */
export const DISPLAY_PAGE = 'display/index.html?register=main';
