import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../engine/testing/test-node';
import { backupToCopy } from './backup-copy';

const data = tempDir('backup-copy-');
afterAll(() => data.remove());
mkdirSync(join(data.path, 'backups'));
const backup = join(data.path, 'backups', 'store-20261123T100000Z.db');
writeFileSync(backup, 'sqlite');
writeFileSync(join(data.path, 'store.db'), 'sqlite');

describe('backup-copy', () => {
  describe('backupToCopy', () => {
    it("accepts only an existing backup in this node's backups folder", () => {
      expect(backupToCopy(backup, data.path)).toBe(backup);
      expect(backupToCopy(join(data.path, 'backups', '..', 'store.db'), data.path)).toBeNull();
      expect(backupToCopy(join(data.path, 'store.db'), data.path)).toBeNull();
      expect(backupToCopy('/etc/shadow', data.path)).toBeNull();
      expect(backupToCopy(join(data.path, 'backups', 'store-20261123T110000Z.db'), data.path)).toBeNull();
      expect(backupToCopy(`${backup}\0`, data.path)).toBeNull();
      expect(backupToCopy(42, data.path)).toBeNull();
    });
  });
});
