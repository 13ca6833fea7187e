/**
 * What blurcam leaves in OBS's settings folder over time: a bounded number of backups per file, and the files that
 * hold the websocket password private again after OBS saved them readable by everyone.
 */
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configureObs } from '../../../src/control/configure-obs.js';
import { GLOBAL_INI, WEBSOCKET_JSON, protectPasswordFiles } from '../../../src/control/obs-config.js';
import { BACKUPS_KEPT, replaceFile } from '../../../src/control/replace-file.js';

const tempDir = () => mkdtempSync(join(tmpdir(), 'blurcam-settings-hygiene-'));
const modeOf = (path: string) => statSync(path).mode & 0o777;

describe('replaceFile backups', () => {
  it(`keeps the newest ${BACKUPS_KEPT} backups of a file and deletes older ones, leaving other files alone`, () => {
    const dir = tempDir();
    const path = join(dir, 'global.ini');
    writeFileSync(join(dir, 'basic.ini.blurcam-backup-2020-01-01T00-00-00-000Z'), 'another file');
    writeFileSync(path, 'version 0');
    const made: string[] = [];
    for (let version = 1; version <= 8; version++) {
      const now = new Date(Date.UTC(2026, 10, version, 12));
      made.push(...replaceFile(path, `version ${version - 1}`, `version ${version}`, { secret: true, now }).backups);
    }
    expect(made).toHaveLength(8);
    const left = readdirSync(dir).filter((name) => name.startsWith('global.ini.blurcam-backup-'));
    expect(BACKUPS_KEPT).toBe(5);
    expect(left).toHaveLength(5);
    expect(left.sort()).toEqual(made.slice(-BACKUPS_KEPT).map((backup) => backup.slice(dir.length + 1)));
    // Each kept backup holds the version before its change.
    expect(readFileSync(made[7], 'utf8')).toBe('version 7');
    expect(readFileSync(made[3], 'utf8')).toBe('version 3');
    expect(readdirSync(dir)).toContain('basic.ini.blurcam-backup-2020-01-01T00-00-00-000Z');
  });

  it('does not overwrite a backup made in the same millisecond', () => {
    const dir = tempDir();
    const path = join(dir, 'global.ini');
    const now = new Date('2026-11-29T12:00:00.000Z');
    writeFileSync(path, 'original');
    const first = replaceFile(path, 'original', 'second', { secret: true, now }).backups;
    const second = replaceFile(path, 'second', 'third', { secret: true, now }).backups;
    expect(second[0]).not.toBe(first[0]);
    expect(readFileSync(first[0], 'utf8')).toBe('original');
    expect(readFileSync(second[0], 'utf8')).toBe('second');
  });
});

describe('protectPasswordFiles', () => {
  it("makes OBS's files that hold the password private (0600) and says which it changed", () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'plugin_config', 'obs-websocket'), { recursive: true });
    // As OBS leaves them after saving: the default mode.
    writeFileSync(join(dir, GLOBAL_INI), '[OBSWebSocket]\nServerPassword=secret\n', { mode: 0o644 });
    writeFileSync(join(dir, WEBSOCKET_JSON), '{"server_password":"secret"}', { mode: 0o644 });
    chmodSync(join(dir, GLOBAL_INI), 0o644);
    chmodSync(join(dir, WEBSOCKET_JSON), 0o664);
    expect(protectPasswordFiles(dir)).toEqual([join(dir, GLOBAL_INI), join(dir, WEBSOCKET_JSON)]);
    expect([modeOf(join(dir, GLOBAL_INI)), modeOf(join(dir, WEBSOCKET_JSON))]).toEqual([0o600, 0o600]);
    expect(protectPasswordFiles(dir)).toEqual([]);
    expect(protectPasswordFiles(join(dir, 'no-such-folder'))).toEqual([]);
  });

  it('is run by configure-obs also when the settings need no change', () => {
    const root = tempDir();
    const options = { obsConfigDir: join(root, 'obs-studio'), blurcamConfigPath: join(root, 'blurcam', 'config.json'), obsVersion: '29.0.2', generatePassword: () => 'pw' };
    configureObs(options);
    // OBS ran and quit meanwhile, saving global.ini with its default mode.
    chmodSync(join(options.obsConfigDir, GLOBAL_INI), 0o644);
    const again = configureObs(options);
    expect(again.changed).toEqual([join(options.obsConfigDir, GLOBAL_INI)]);
    expect(again.backups).toEqual([]);
    expect(modeOf(join(options.obsConfigDir, GLOBAL_INI))).toBe(0o600);
  });
});
