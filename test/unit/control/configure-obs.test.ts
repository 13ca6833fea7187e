import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configureObs } from '../../../src/control/configure-obs.js';
import { ObsConfig } from '../../../src/control/obs-config.js';
import { obsStartupBlockers } from '../../../src/control/obs-startup-blockers.js';
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

describe("configureObs on macOS: OBS's first-start permissions dialog", () => {
  const DIALOG_LINE = 'MacOSPermissionsDialogLastShown=1';

  it('marks the dialog as shown in global.ini together with the websocket settings, with one backup of the original', () => {
    const options = { ...setup(), platform: 'darwin' as const };
    mkdirSync(options.obsConfigDir, { recursive: true });
    const original = '[General]\nLastVersion=486539264\n\n[OBSWebSocket]\nServerEnabled=false\n';
    writeFileSync(join(options.obsConfigDir, 'global.ini'), original);

    const result = configureObs(options);

    expect(result.permissionsDialog).toBe('marked as shown');
    const globalIni = readFileSync(join(options.obsConfigDir, 'global.ini'), 'utf8');
    expect(globalIni).toContain(`[General]\nLastVersion=486539264\n${DIALOG_LINE}\n`);
    expect(globalIni).toContain('ServerEnabled=true');
    expect(result.backups).toHaveLength(1);
    expect(readFileSync(result.backups[0], 'utf8')).toBe(original);
    expect(new ObsConfig(options.obsConfigDir, ['global-ini']).macosPermissionsDialogShown()).toBe(1);
  });

  it('writes it into global.ini for OBS 31+ too (the key did not move to user.ini), private, and never creates user.ini', () => {
    const options = { ...setup(), obsVersion: '31.1.2', platform: 'darwin' as const };
    const result = configureObs(options);
    const globalIni = join(options.obsConfigDir, 'global.ini');
    expect(result.stores).toEqual(['config-json']);
    expect(result.changed).toContain(globalIni);
    expect(readFileSync(globalIni, 'utf8')).toBe(`[General]\n${DIALOG_LINE}\n`);
    expect(statSync(globalIni).mode & 0o777).toBe(0o600);
    // An OBS 30 global.ini beside a user.ini would stop OBS 31's migration of user settings.
    expect(existsSync(join(options.obsConfigDir, 'user.ini'))).toBe(false);
  });

  it('changes nothing when the dialog was already shown, and nothing of it on Linux', () => {
    const mac = { ...setup(), platform: 'darwin' as const };
    configureObs(mac);
    expect(configureObs(mac)).toMatchObject({ permissionsDialog: 'already shown', changed: [], backups: [] });

    const linux = { ...setup(), platform: 'linux' as const };
    expect(configureObs(linux).permissionsDialog).toBe('not macOS');
    expect(readFileSync(join(linux.obsConfigDir, 'global.ini'), 'utf8')).not.toContain('MacOSPermissionsDialogLastShown');
  });

  it('a dialog version below the current one counts as not shown', () => {
    const options = { ...setup(), platform: 'darwin' as const };
    mkdirSync(options.obsConfigDir, { recursive: true });
    writeFileSync(join(options.obsConfigDir, 'global.ini'), '[General]\nMacOSPermissionsDialogLastShown=0\n');
    expect(configureObs(options).permissionsDialog).toBe('marked as shown');
    expect(readFileSync(join(options.obsConfigDir, 'global.ini'), 'utf8')).toContain(`[General]\n${DIALOG_LINE}\n`);
  });
});

describe('obsStartupBlockers: what a launched OBS that never answers waits for', () => {
  it("names the macOS permissions dialog and the websocket being off on a fresh Mac, nothing once configure-obs ran", () => {
    const options = { ...setup(), platform: 'darwin' as const };
    const before = obsStartupBlockers(options.obsConfigDir, 'darwin', '31.1.2');
    expect(before).toHaveLength(2);
    expect(before[0]).toMatch(/^OBS waits on its macOS permissions dialog .*blurcam configure-obs/);
    expect(before[1]).toMatch(/^OBS's websocket server is not turned on/);
    configureObs({ ...options, obsVersion: '31.1.2' });
    expect(obsStartupBlockers(options.obsConfigDir, 'darwin', '31.1.2')).toEqual([]);
  });

  it('does not name the macOS dialog on Linux', () => {
    const options = setup();
    expect(obsStartupBlockers(options.obsConfigDir, 'linux', '29.0.2')).toEqual([expect.stringMatching(/websocket server is not turned on/)]);
  });
});
