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
    const result = await runCli(['--bogus-option']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Unknown arguments?: bogus-option/);
    expect(result.stderr).toContain('fix:');
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
