import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OPTIONS, checkRange, configDir, defaultConfigPath, loadConfigFile, optionsFromEnv, parseSize } from '../../src/config.js';
import { BlurcamError } from '../../src/errors.js';
import { expectBlurcamError, thrownBlurcamError } from '../support/expect-blurcam-error.js';

function expectThrows(work: () => unknown, code: string, message: RegExp): void {
  expectBlurcamError(thrownBlurcamError(work), code, message);
}

describe('parseSize', () => {
  it('reads WIDTHxHEIGHT', () => {
    expect(parseSize('1280x720')).toEqual({ width: 1280, height: 720 });
    expect(parseSize(' 640x480 ')).toEqual({ width: 640, height: 480 });
  });

  it.each(['1280', '1280x', 'x720', '1280*720', '-1280x720', '1281x720', '8x8', '99999x720'])(
    'rejects %s naming the option',
    (value) => expectThrows(() => parseSize(value), 'BAD_OPTION', /--size/),
  );
});

describe('checkRange', () => {
  it('passes values inside the range and rejects others', () => {
    expect(checkRange('fps', 30, 1, 120)).toBe(30);
    expectThrows(() => checkRange('fps', 0, 1, 120), 'BAD_OPTION', /--fps 0 is out of range/);
    expectThrows(() => checkRange('fps', Number.NaN, 1, 120), 'BAD_OPTION', /--fps/);
  });
});

describe('config folder', () => {
  it('follows each platform', () => {
    expect(configDir({ HOME: '/Users/ana' }, 'darwin')).toBe('/Users/ana/Library/Application Support/blurcam');
    expect(configDir({ HOME: '/home/ana' }, 'linux')).toBe('/home/ana/.config/blurcam');
    expect(configDir({ HOME: '/home/ana', XDG_CONFIG_HOME: '/x' }, 'linux')).toBe('/x/blurcam');
    expect(defaultConfigPath({ BLURCAM_CONFIG_DIR: '/c' }, 'linux')).toBe('/c/config.json');
  });
});

describe('loadConfigFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'blurcam-config-'));
  const write = (name: string, text: string, mode = 0o600): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    chmodSync(path, mode);
    return path;
  };

  it('is empty when the default file does not exist, an error when a named one does not', () => {
    expect(loadConfigFile(join(dir, 'absent.json'), { explicit: false })).toEqual({});
    expectThrows(() => loadConfigFile(join(dir, 'absent.json'), { explicit: true }), 'BAD_CONFIG_FILE', /does not exist/);
  });

  it('maps camelCase and kebab-case keys to flags', () => {
    const path = write('ok.json', JSON.stringify({ blurStrength: 0.8, 'obs-url': 'ws://127.0.0.1:4456' }));
    expect(loadConfigFile(path, { explicit: true })).toEqual({ 'blur-strength': 0.8, 'obs-url': 'ws://127.0.0.1:4456' });
  });

  it('rejects bad JSON, non-objects and unknown keys', () => {
    expectThrows(() => loadConfigFile(write('bad.json', '{nope'), { explicit: true }), 'BAD_CONFIG_FILE', /not valid JSON/);
    expectThrows(() => loadConfigFile(write('array.json', '[]'), { explicit: true }), 'BAD_CONFIG_FILE', /JSON object/);
    expectThrows(
      () => loadConfigFile(write('unknown.json', '{"colour": 1}'), { explicit: true }),
      'BAD_CONFIG_FILE',
      /unknown option "colour"/,
    );
  });

  it('refuses a password file that others can read, without showing the password', () => {
    const path = write('open.json', JSON.stringify({ obsPassword: 'hunter2-secret' }), 0o644);
    try {
      loadConfigFile(path, { explicit: true });
      throw new Error('expected a BlurcamError');
    } catch (error) {
      expect((error as BlurcamError).code).toBe('BAD_CONFIG_FILE');
      expect((error as BlurcamError).hint).toContain('chmod 600');
      expect(JSON.stringify({ m: (error as Error).message, h: (error as BlurcamError).hint })).not.toContain('hunter2');
    }
    chmodSync(path, 0o600);
    expect(loadConfigFile(path, { explicit: true })).toEqual({ 'obs-password': 'hunter2-secret' });
  });
});

describe('optionsFromEnv', () => {
  it('types values like their flags and ignores other BLURCAM_ variables', () => {
    expect(
      optionsFromEnv({ BLURCAM_FPS: '24', BLURCAM_LAUNCH_OBS: '1', BLURCAM_OBS_URL: 'ws://127.0.0.1:1', BLURCAM_CONFIG_DIR: '/x' }),
    ).toEqual({ fps: 24, 'launch-obs': true, 'obs-url': 'ws://127.0.0.1:1' });
  });

  it('names the variable when a value has the wrong type', () => {
    expectThrows(() => optionsFromEnv({ BLURCAM_FPS: 'fast' }), 'BAD_OPTION', /BLURCAM_FPS="fast" is not a number/);
    expectThrows(() => optionsFromEnv({ BLURCAM_STATS: 'maybe' }), 'BAD_OPTION', /BLURCAM_STATS="maybe"/);
  });
});

describe('docs/configuration.md', () => {
  it('describes every option in the table', () => {
    const doc = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
    const missing = Object.keys(OPTIONS).filter((option) => !doc.includes(`\`--${option}\``));
    expect(missing).toEqual([]);
  });
});
