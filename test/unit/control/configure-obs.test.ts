import { chmodSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configureObs } from '../../../src/control/configure-obs.js';
import { ObsConfig } from '../../../src/control/obs-config.js';
import { BlurcamError } from '../../../src/errors.js';

const NOW = new Date('2026-11-27T10:00:00.000Z');

function setup() {
  const root = mkdtempSync(join(tmpdir(), 'blurcam-configure-'));
  const obsConfigDir = join(root, 'obs-studio');
  const blurcamConfigPath = join(root, 'blurcam', 'config.json');
  return { obsConfigDir, blurcamConfigPath, obsVersion: '29.0.2', now: NOW, generatePassword: () => 'generated-pw' };
}

function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}

describe('configureObs', () => {
  it('on a fresh machine generates a password and stores it for OBS and for blurcam (mode 0600)', () => {
    const options = setup();
    const result = configureObs(options);
    expect(result).toMatchObject({ port: 4455, passwordSource: 'generated', stores: ['global-ini'], backups: [] });
    expect(new ObsConfig(options.obsConfigDir, ['global-ini']).readWebsocket()).toEqual({
      serverEnabled: true,
      serverPort: 4455,
      authRequired: true,
      serverPassword: 'generated-pw',
    });
    expect(readJson(options.blurcamConfigPath)).toEqual({ 'obs-password': 'generated-pw' });
    expect(statSync(options.blurcamConfigPath).mode & 0o777).toBe(0o600);
    expect(JSON.stringify(result)).not.toContain('generated-pw');
  });

  it('changes nothing when run a second time', () => {
    const options = setup();
    configureObs(options);
    const again = configureObs({ ...options, generatePassword: () => 'another-pw' });
    expect(again).toMatchObject({ passwordSource: 'OBS settings', changed: [], backups: [] });
    expect(readJson(options.blurcamConfigPath)['obs-password']).toBe('generated-pw');
  });

  it("keeps the user's own OBS password and port, and backs OBS's file up before turning auth on", () => {
    const options = setup();
    mkdirSync(options.obsConfigDir, { recursive: true });
    const original = '[OBSWebSocket]\nServerEnabled=false\nServerPort=4460\nAuthRequired=false\nServerPassword=users-own\n';
    writeFileSync(join(options.obsConfigDir, 'global.ini'), original);
    const result = configureObs(options);
    expect(result).toMatchObject({ port: 4460, passwordSource: 'OBS settings' });
    expect(result.backups).toHaveLength(1);
    expect(readFileSync(result.backups[0], 'utf8')).toBe(original);
    expect(readJson(options.blurcamConfigPath)).toEqual({ 'obs-password': 'users-own', 'obs-url': 'ws://127.0.0.1:4460' });
  });

  it("reuses blurcam's stored password when OBS has none, keeping the config's other keys and spelling", () => {
    const options = setup();
    mkdirSync(join(options.blurcamConfigPath, '..'), { recursive: true });
    writeFileSync(options.blurcamConfigPath, JSON.stringify({ obsPassword: 'stored-pw', effect: 'replace' }));
    chmodSync(options.blurcamConfigPath, 0o644);
    const result = configureObs(options);
    expect(result.passwordSource).toBe('blurcam config');
    expect(new ObsConfig(options.obsConfigDir, ['global-ini']).readWebsocket()?.serverPassword).toBe('stored-pw');
    expect(readJson(options.blurcamConfigPath)).toEqual({ obsPassword: 'stored-pw', effect: 'replace' });
    // Nothing to rewrite, but a file holding the password must not stay readable by others.
    expect(statSync(options.blurcamConfigPath).mode & 0o777).toBe(0o600);
    expect(result.changed).toContain(options.blurcamConfigPath);
  });

  it('says OBS_RUNNING and touches nothing while OBS runs', () => {
    const options = setup();
    let error: unknown;
    try {
      configureObs({ ...options, obsRunning: true });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(BlurcamError);
    expect((error as BlurcamError).code).toBe('OBS_RUNNING');
    expect((error as BlurcamError).message).toBe('OBS is running, and it would overwrite its websocket settings when it quits.');
    expect(() => statSync(options.obsConfigDir)).toThrow();
  });

  it('says BAD_CONFIG_FILE for a blurcam config that is not JSON', () => {
    const options = setup();
    mkdirSync(join(options.blurcamConfigPath, '..'), { recursive: true });
    writeFileSync(options.blurcamConfigPath, '{ "obs-password": ');
    expect(() => configureObs(options)).toThrow(expect.objectContaining({ code: 'BAD_CONFIG_FILE', message: expect.stringMatching(/is not valid JSON/) }));
  });
});
