import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OPTIONS, checkOption, checkOptions, configDir, defaultConfigPath, loadConfigFile, optionsFromEnv, parseSize } from '../../src/config.js';
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

describe('checkOption (the option schema)', () => {
  const flag = { kind: 'flag' } as const;

  it('passes values inside the range and rejects others', () => {
    expect(checkOption('fps', 30, flag)).toBe(30);
    expectThrows(() => checkOption('fps', 0, flag), 'BAD_OPTION', /--fps 0 is out of range/);
    expectThrows(() => checkOption('fps', Number.NaN, flag), 'BAD_OPTION', /--fps/);
  });

  it('names the option and what is allowed when a value is wrong', () => {
    expectThrows(() => checkOption('fps', 500, flag), 'BAD_OPTION', /--fps 500 is out of range/);
    expectThrows(() => checkOption('camera', -1, flag), 'BAD_OPTION', /--camera -1 is not a camera index/);
    expectThrows(() => checkOption('camera', 1.5, flag), 'BAD_OPTION', /--camera 1.5 is not a camera index/);
    expectThrows(() => checkOption('frames', 0, flag), 'BAD_OPTION', /--frames 0 is not a frame count/);
    expectThrows(() => checkOption('size', '320', flag), 'BAD_OPTION', /--size "320" is not a frame size/);
    expectThrows(() => checkOption('blur-strength', -0.1, flag), 'BAD_OPTION', /--blur-strength -0.1 is out of range/);
    expectThrows(() => checkOption('blur-strength', 1.5, flag), 'BAD_OPTION', /--blur-strength 1.5 is out of range/);
    expectThrows(() => checkOption('threshold', 1.5, flag), 'BAD_OPTION', /--threshold 1.5 is out of range/);
    expectThrows(() => checkOption('softness', 0.8, flag), 'BAD_OPTION', /--softness 0.8 is out of range/);
    expectThrows(() => checkOption('effect', 'sepia', flag), 'BAD_OPTION', /--effect "sepia" is not an effect/);
    expectThrows(() => checkOption('obs-url', 'http://127.0.0.1:4455', flag), 'BAD_OPTION', /^--obs-url "http:\/\/127.0.0.1:4455" is not a websocket address\.$/);
    expectThrows(() => checkOptions({ effect: 'replace' }, { args: ['--effect', 'replace'], env: {}, file: {}, filePath: 'c.json' }), 'BAD_OPTION', /--effect replace needs an image/);
  });

  it('gives commands typed values: a size, a normalised endpoint', () => {
    expect(checkOption('size', '640x480', flag)).toEqual({ width: 640, height: 480 });
    expect(checkOption('endpoint', 'tcp://localhost:5555', flag)).toBe('tcp://127.0.0.1:5555');
    expectThrows(() => checkOption('endpoint', 'tcp://10.0.0.2:5555', flag), 'BAD_OPTION', /--endpoint "tcp:\/\/10.0.0.2:5555" is not a local ZeroMQ endpoint/);
  });

  it('names where a bad value came from: the flag as typed, the variable, the config file and key', () => {
    const argv = { fps: Number.NaN };
    expectThrows(() => checkOptions(argv, { args: ['start', '--fps', 'fast'], env: {}, file: {}, filePath: 'c.json' }), 'BAD_OPTION', /^--fps "fast" is not a number\.$/);
    expectThrows(() => checkOption('size', 1280, { kind: 'file', path: '/home/a/config.json', key: 'size' }), 'BAD_CONFIG_FILE', /^Config file \/home\/a\/config.json: "size": 1280 is not text\.$/);
    expectThrows(() => checkOption('fps', 'fast', { kind: 'env', variable: 'BLURCAM_FPS', raw: 'fast' }), 'BAD_OPTION', /^BLURCAM_FPS="fast" is not a number\.$/);
  });

  it('never shows the OBS password in an error', () => {
    const error = thrownBlurcamError(() => checkOption('obs-password', 12345678, { kind: 'file', path: 'c.json', key: 'obsPassword' }));
    expect(error.code).toBe('BAD_CONFIG_FILE');
    expect(`${error.message} ${error.hint}`).not.toContain('12345678');
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

  it('rejects a value of the wrong kind, naming the key, the file and what is allowed', () => {
    expectThrows(() => loadConfigFile(write('size.json', '{"size": 1280}'), { explicit: true }), 'BAD_CONFIG_FILE', /size\.json: "size": 1280 is not text/);
    const launch = thrownBlurcamError(() => loadConfigFile(write('launch.json', '{"launch-obs": "yes"}'), { explicit: true }));
    expect([launch.code, launch.message, launch.hint]).toEqual(['BAD_CONFIG_FILE', `Config file ${join(dir, 'launch.json')}: "launch-obs": "yes" is not true or false.`, 'Use true or false.']);
    expectThrows(() => loadConfigFile(write('range.json', '{"blurStrength": 3}'), { explicit: true }), 'BAD_CONFIG_FILE', /"blurStrength": 3 is out of range/);
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
