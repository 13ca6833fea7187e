import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ObsConfig, WEBSOCKET_JSON, obsConfigDir, websocketStoresFor } from '../../../src/control/obs-config.js';
import { BlurcamError } from '../../../src/errors.js';

const SETTINGS = { serverEnabled: true, serverPort: 4455, authRequired: true, serverPassword: 'pw-123' };
const NOW = new Date('2026-11-27T10:00:00.000Z');

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'blurcam-obs-config-'));
}

function modeOf(path: string): number {
  return statSync(path).mode & 0o777;
}

describe('obsConfigDir', () => {
  it('is the platform folder OBS uses', () => {
    expect(obsConfigDir({ HOME: '/home/ada' }, 'linux')).toBe('/home/ada/.config/obs-studio');
    expect(obsConfigDir({ HOME: '/home/ada', XDG_CONFIG_HOME: '/cfg' }, 'linux')).toBe('/cfg/obs-studio');
    expect(obsConfigDir({ HOME: '/Users/ada' }, 'darwin')).toBe('/Users/ada/Library/Application Support/obs-studio');
  });
});

describe('websocketStoresFor', () => {
  it('picks global.ini up to OBS 30.1 and config.json from 30.2, both when unknown', () => {
    expect(websocketStoresFor('29.0.2')).toEqual(['global-ini']);
    expect(websocketStoresFor('30.1.2')).toEqual(['global-ini']);
    expect(websocketStoresFor('30.2.0')).toEqual(['config-json']);
    expect(websocketStoresFor('31.0.3')).toEqual(['config-json']);
    expect(websocketStoresFor(undefined)).toEqual(['config-json', 'global-ini']);
  });
});

describe('ObsConfig (OBS 29: global.ini)', () => {
  it('writes the [OBSWebSocket] section into an existing global.ini, with a private backup', () => {
    const dir = tempDir();
    const original = '[General]\nFirstRun=true\n\n[OBSWebSocket]\nServerEnabled=false\nServerPort=4455\n';
    writeFileSync(join(dir, 'global.ini'), original, { mode: 0o644 });
    const config = new ObsConfig(dir, ['global-ini'], () => NOW);

    const change = config.writeWebsocket(SETTINGS);

    expect(change.changed).toEqual([join(dir, 'global.ini')]);
    expect(change.backups).toEqual([join(dir, 'global.ini.blurcam-backup-2026-11-27T10-00-00-000Z')]);
    expect(readFileSync(change.backups[0], 'utf8')).toBe(original);
    expect(modeOf(change.backups[0])).toBe(0o600);
    expect(modeOf(join(dir, 'global.ini'))).toBe(0o600);
    expect(readFileSync(join(dir, 'global.ini'), 'utf8')).toBe(
      '[General]\nFirstRun=true\n\n[OBSWebSocket]\nServerEnabled=true\nServerPort=4455\nFirstLoad=false\nAuthRequired=true\nServerPassword=pw-123\n',
    );
    expect(config.readWebsocket()).toEqual(SETTINGS);
  });

  it('changes nothing and makes no backup the second time', () => {
    const dir = tempDir();
    const config = new ObsConfig(dir, ['global-ini'], () => NOW);
    expect(config.writeWebsocket(SETTINGS).changed).toHaveLength(1);
    const again = config.writeWebsocket(SETTINGS);
    expect(again).toEqual({ changed: [], backups: [] });
    expect(readdirSync(dir)).toEqual(['global.ini']);
  });

  it('reads nothing when OBS never saved websocket settings', () => {
    const dir = tempDir();
    expect(new ObsConfig(dir, ['global-ini']).readWebsocket()).toBeUndefined();
    writeFileSync(join(dir, 'global.ini'), '[General]\nFirstRun=true\n');
    expect(new ObsConfig(dir, ['global-ini']).readWebsocket()).toBeUndefined();
  });
});

describe('ObsConfig (OBS 30.2+: plugin_config/obs-websocket/config.json)', () => {
  it('keeps keys it does not know and backs the old file up', () => {
    const dir = tempDir();
    const path = join(dir, WEBSOCKET_JSON);
    mkdirSync(join(dir, 'plugin_config', 'obs-websocket'), { recursive: true });
    const original = { alerts_enabled: true, auth_required: false, first_load: true, server_enabled: false, server_password: '', server_port: 4466 };
    writeFileSync(path, JSON.stringify(original));
    const config = new ObsConfig(dir, ['config-json'], () => NOW);

    const change = config.writeWebsocket({ ...SETTINGS, serverPort: 4466 });

    expect(change.changed).toEqual([path]);
    expect(change.backups).toHaveLength(1);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({
      alerts_enabled: true,
      auth_required: true,
      first_load: false,
      server_enabled: true,
      server_password: 'pw-123',
      server_port: 4466,
    });
    expect(modeOf(path)).toBe(0o600);
    expect(config.writeWebsocket({ ...SETTINGS, serverPort: 4466 })).toEqual({ changed: [], backups: [] });
  });

  it('leaves a file that already says the same alone, whatever its formatting', () => {
    const dir = tempDir();
    const path = join(dir, WEBSOCKET_JSON);
    mkdirSync(join(dir, 'plugin_config', 'obs-websocket'), { recursive: true });
    const text = '{"auth_required":true,"first_load":false,"server_enabled":true,"server_password":"pw-123","server_port":4455}';
    writeFileSync(path, text);
    expect(new ObsConfig(dir, ['config-json']).writeWebsocket(SETTINGS)).toEqual({ changed: [], backups: [] });
    expect(readFileSync(path, 'utf8')).toBe(text);
  });

  it('says BAD_CONFIG_FILE for a config.json that is not JSON', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'plugin_config', 'obs-websocket'), { recursive: true });
    writeFileSync(join(dir, WEBSOCKET_JSON), '{ broken');
    const error = (() => {
      try {
        new ObsConfig(dir, ['config-json']).readWebsocket();
      } catch (caught) {
        return caught;
      }
    })() as BlurcamError;
    expect(error).toBeInstanceOf(BlurcamError);
    expect(error.code).toBe('BAD_CONFIG_FILE');
    expect(error.message).toMatch(/^OBS's websocket settings file .*config\.json cannot be read: /);
  });

  it('with an unknown OBS version writes both places and reads config.json first', () => {
    const dir = tempDir();
    const config = new ObsConfig(dir, websocketStoresFor(undefined), () => NOW);
    expect(config.writeWebsocket(SETTINGS).changed.sort()).toEqual([join(dir, 'global.ini'), join(dir, WEBSOCKET_JSON)].sort());
    expect(config.readWebsocket()).toEqual(SETTINGS);
    expect(existsSync(join(dir, 'global.ini'))).toBe(true);
  });
});
