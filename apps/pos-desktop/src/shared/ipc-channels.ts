/** The only IPC channels between the preload and the main process. */
export const IPC = {
  /** Synchronous, once, at preload time: the local store node's URL and token and the app version. */
  connection: 'pos:connection',
  printReceipt: 'pos:print-receipt',
  printReceiptRaw: 'pos:print-receipt-raw',
  openCashDrawer: 'pos:open-cash-drawer',
  listPrinters: 'pos:list-printers',
  readSettings: 'pos:read-settings',
  saveSettings: 'pos:save-settings',
  saveBackupCopy: 'pos:save-backup-copy',
} as const;

export interface ConnectionInfo {
  readonly url: string;
  readonly token: string;
  readonly appVersion: string;
}
