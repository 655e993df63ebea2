export interface ElectronPackage {
  readonly dir: string;
  readonly version: string;
}

export type ElectronFetch =
  | { readonly ok: true; readonly executable: string; readonly version: string }
  | { readonly ok: false; readonly version: string; readonly reason: string };

export function electronPackage(): ElectronPackage;
export function installedElectron(): string | null;
export function fetchElectron(options?: {
  readonly timeoutMs?: number;
  readonly onStart?: (version: string) => void;
}): Promise<ElectronFetch>;
