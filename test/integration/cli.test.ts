import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';

describe('blurcam command line', () => {
  it('prints help and exits 0', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('blurcam <command>');
  });

  it('asks for a command', async () => {
    const result = await runCli([]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^blurcam: Name a command\.\n {2}fix: /);
  });

  it('names an unknown option with a fix', async () => {
    const result = await runCli(['devices', '--bogus-option']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Unknown arguments?: bogus-option/);
    expect(result.stderr).toContain('fix:');
  });

  it('takes the last value of a flag given twice', async () => {
    const result = await runCli(['bench', '--input', 'demo', '--output', 'bad.mp4', '--output', 'null', '--frames', '9', '--frames', '2', '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ frames: 2 });
  });

  it('reports a broken config file before anything runs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'blurcam-cli-'));
    const path = join(dir, 'config.json');
    writeFileSync(path, '{ "fps": ');
    chmodSync(path, 0o600);
    const result = await runCli(['--help'], { env: { BLURCAM_CONFIG_DIR: dir } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`Config file ${path} is not valid JSON`);
  });
});

describe('a value of the wrong kind or out of range', () => {
  const config = (name: string, body: object): string => {
    const dir = mkdtempSync(join(tmpdir(), `blurcam-cli-${name}-`));
    const path = join(dir, 'config.json');
    writeFileSync(path, JSON.stringify(body));
    chmodSync(path, 0o600);
    return path;
  };

  it('in the config file: exit 2, naming the key, the file and what is allowed (it used to crash or be ignored)', async () => {
    const size = config('size', { size: 1280 });
    const bad = await runCli(['bench', '--frames', '2'], { env: { BLURCAM_CONFIG: size } });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(`blurcam: Config file ${size}: "size": 1280 is not text.\n  fix: Use WIDTHxHEIGHT with even numbers from 16x16 to 7680x4320, e.g. 1280x720.\n`);
    const launch = config('launch', { 'launch-obs': 'yes' });
    const ignored = await runCli(['start', '--input', 'demo', '--output', 'null', '--frames', '1'], { env: { BLURCAM_CONFIG: launch } });
    expect(ignored.code).toBe(2);
    expect(ignored.stderr).toContain(`Config file ${launch}: "launch-obs": "yes" is not true or false.`);
  });

  it('on the command line and in the environment: exit 2, naming the flag or the variable', async () => {
    const flag = await runCli(['bench', '--fps', 'fast', '--frames', '2']);
    expect([flag.code, flag.stderr]).toEqual([2, 'blurcam: --fps "fast" is not a number.\n  fix: Use a number from 1 to 120.\n']);
    const env = await runCli(['bench', '--frames', '2'], { env: { BLURCAM_THRESHOLD: '7' } });
    expect([env.code, env.stderr]).toEqual([2, 'blurcam: BLURCAM_THRESHOLD="7" is out of range.\n  fix: Set BLURCAM_THRESHOLD to a number from 0 to 1, or unset it.\n']);
  });
});

describe('options shared through the config file and the environment', () => {
  const dir = mkdtempSync(join(tmpdir(), 'blurcam-cli-shared-'));
  const path = join(dir, 'config.json');
  writeFileSync(path, JSON.stringify({ obsPassword: 'config-secret', fps: 24 }));
  chmodSync(path, 0o600);

  it('do not break a command that does not take them', async () => {
    const result = await runCli(['segment', '/nonexistent/photo.jpg', '--out', dir], {
      env: { BLURCAM_CONFIG_DIR: dir, BLURCAM_SCENE: 'Studio' },
    });
    expect(result.stderr).not.toMatch(/Unknown argument/);
    expect(result.stderr).toContain('/nonexistent/photo.jpg');
    expect(result.stderr).not.toContain('config-secret');
  });

  it('still reject a flag the command does not take', async () => {
    const result = await runCli(['segment', '/nonexistent/photo.jpg', '--out', dir, '--fps', '30'], {
      env: { BLURCAM_CONFIG_DIR: dir },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Unknown arguments?: fps/);
  });
});
