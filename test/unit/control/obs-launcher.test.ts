import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OBS_LAUNCH_ARGS, findObsExecutable } from '../../../src/control/obs-launcher.js';
import { BlurcamError } from '../../../src/errors.js';
import { thrownBlurcamError as thrown } from '../../support/expect-blurcam-error.js';


describe('findObsExecutable', () => {
  it('finds an executable `obs` on the PATH on Linux', () => {
    const empty = mkdtempSync(join(tmpdir(), 'blurcam-path-'));
    const bin = mkdtempSync(join(tmpdir(), 'blurcam-path-'));
    writeFileSync(join(bin, 'obs'), '#!/bin/sh\n');
    chmodSync(join(bin, 'obs'), 0o755);
    expect(findObsExecutable({ PATH: `${empty}:${bin}` }, 'linux')).toBe(join(bin, 'obs'));
  });

  it('skips an `obs` that is not executable', () => {
    const bin = mkdtempSync(join(tmpdir(), 'blurcam-path-'));
    writeFileSync(join(bin, 'obs'), 'not a program');
    chmodSync(join(bin, 'obs'), 0o644);
    expect(thrown(() => findObsExecutable({ PATH: bin }, 'linux')).code).toBe('OBS_LAUNCH_FAILED');
  });

  it('says OBS_LAUNCH_FAILED with the platform fix when OBS is not installed', () => {
    const linux = thrown(() => findObsExecutable({ PATH: '' }, 'linux'));
    expect(linux.code).toBe('OBS_LAUNCH_FAILED');
    expect(linux.message).toBe('OBS Studio is not installed (no `obs` on the PATH).');
    expect(linux.hint).toContain('sudo apt install obs-studio');
    const mac = thrown(() => findObsExecutable({ HOME: mkdtempSync(join(tmpdir(), 'blurcam-home-')) }, 'darwin'));
    expect(mac.code).toBe('OBS_LAUNCH_FAILED');
    expect(mac.message).toBe('OBS Studio is not installed (no OBS.app in /Applications).');
    expect(mac.hint).toContain('brew install --cask obs');
  });

  it('launches OBS without websocket flags, which OBS would write into its log', () => {
    expect(OBS_LAUNCH_ARGS.some((arg) => arg.startsWith('--websocket'))).toBe(false);
  });
});
