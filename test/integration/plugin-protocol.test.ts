/**
 * The plugin's frame parser, endpoint rules and tcp keys, through the C test program (obs/test), and their
 * agreement with the TypeScript side: constants, messages the TS encoder writes, endpoint checks and the
 * default, which ipc folders are private enough, the key file either side writes. Then a short libFuzzer run
 * of the plugin's receive path when clang is installed (scripts/fuzz-plugin.sh).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Pull } from 'zeromq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isBlurcamError } from '../../src/errors.js';
import { checkChosenIpcEndpoint, defaultEndpoint, validateEndpoint } from '../../src/transport/endpoint.js';
import { FRAME_PROTOCOL, encodeFrame, framePayloadSize, writeFrameHeader } from '../../src/transport/frame-protocol.js';
import { LINK_KEYS_FILE_NAME, loadLinkKeys } from '../../src/transport/link-keys.js';

/** A user id nobody has here: files given to it stand for another user's (the tests run as root). */
const STRANGER_UID = 54321;

function findClang(): string | undefined {
  for (const name of ['clang-14', 'clang']) {
    try {
      return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim() || undefined;
    } catch {
      // Not this one.
    }
  }
  return undefined;
}

const repoDir = resolve(import.meta.dirname, '..', '..');
const testProgram = join(repoDir, 'obs', 'build', 'blurcam-protocol-test');

function runTestProgram(args: string[], env: NodeJS.ProcessEnv = process.env): string {
  return execFileSync(testProgram, args, { encoding: 'utf8', env, maxBuffer: 16 * 1024 * 1024 });
}

describe('plugin frame protocol (C test program)', () => {
  let workDir: string;

  beforeAll(() => {
    execFileSync(join(repoDir, 'scripts', 'build-plugin.sh'), ['--warnings-as-errors'], { stdio: 'pipe' });
    workDir = mkdtempSync(join(tmpdir(), 'blurcam-protocol-'));
  }, 180_000);

  afterAll(() => {
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it('passes every parser, fuzz, endpoint and placeholder case, and meets every parser error', () => {
    const output = runTestProgram([]);
    expect(output).not.toMatch(/^FAIL/m);
    const summary = /^summary: passed=(\d+) failed=(\d+)$/m.exec(output);
    expect(summary?.[2]).toBe('0');
    expect(Number(summary?.[1])).toBeGreaterThan(110);
    const covered = [...output.matchAll(/^covered (\w+)$/gm)].map((match) => match[1]);
    const constants = JSON.parse(runTestProgram(['--constants'])) as { errors: string[] };
    for (const error of constants.errors) expect(covered).toContain(error);
    expect(output).toMatch(/^ok fuzz: 200000 mutated headers/m);
    expect([...output.matchAll(/^ok sweep .*: every header byte x/gm)]).toHaveLength(8);
    expect(output).toMatch(/^ok probe: a listener that never accepts/m);
    expect(output).toMatch(/^ok curve: a client without encryption is refused and counted$/m);
  });

  it('has the same constants as src/transport/frame-protocol.ts', () => {
    const constants = JSON.parse(runTestProgram(['--constants'])) as Record<string, unknown>;
    const { magic, version, headerSize, maxHeaderSize, maxDimension, maxRowPadding, offsets, formats } = FRAME_PROTOCOL;
    expect(constants).toMatchObject({ magic, version, headerSize, maxHeaderSize, maxDimension, maxRowPadding, offsets, formats });
    expect(constants.maxMessageSize).toBe(maxHeaderSize + framePayloadSize('bgra', maxDimension, maxDimension * 4 + maxRowPadding));
  });

  it('accepts the messages the TS encoder writes and reads the same fields', () => {
    const width = 64;
    const height = 36;
    const stride = width * 4 + 32;
    const data = Buffer.alloc(stride * height, 7);
    const message = encodeFrame({ seq: 123456789, captureTimeNs: 987654321012345678n, width, height, stride, data });
    const bgraPath = join(workDir, 'bgra.bin');
    writeFileSync(bgraPath, message);
    const parsed = runTestProgram(['--parse', bgraPath]).trim();
    expect(parsed.startsWith('ok ')).toBe(true);
    expect(JSON.parse(parsed.slice(3))).toEqual({
      width,
      height,
      format: FRAME_PROTOCOL.formats.bgra,
      stride,
      payloadSize: stride * height,
      headerSize: FRAME_PROTOCOL.headerSize,
      seq: '123456789',
      captureTimeNs: '987654321012345678',
    });

    const i420 = Buffer.alloc(FRAME_PROTOCOL.headerSize + framePayloadSize('i420', 48, 64));
    writeFrameHeader(i420, { width: 64, height: 48, format: 'i420', stride: 64, seq: 1, captureTimeNs: 2n });
    const i420Path = join(workDir, 'i420.bin');
    writeFileSync(i420Path, i420);
    expect(runTestProgram(['--parse', i420Path])).toMatch(/^ok .*"payloadSize": 4608,/);

    writeFileSync(bgraPath, message.subarray(0, message.length - 1));
    expect(runTestProgram(['--parse', bgraPath]).trim()).toBe('error truncated');
  });

  it('refuses and normalises endpoints exactly like src/transport/endpoint.ts', () => {
    const endpoints = [
      'ipc:///run/user/1000/blurcam/frames.sock',
      'tcp://127.0.0.1:5555',
      'tcp://localhost:5555',
      'tcp://[::1]:65535',
      'tcp://0.0.0.0:5555',
      'tcp://*:5555',
      'tcp://10.0.0.2:5555',
      'tcp://127.0.0.1:0',
      'tcp://127.0.0.1:65536',
      'tcp://127.0.0.1:*',
      'tcp://127.0.0.1.example.com:5555',
      'ipc://relative.sock',
      'ipc://@abstract',
      'inproc://frames',
      'udp://127.0.0.1:5555',
      `ipc:///${'a'.repeat(120)}`,
      `ipc:///${'a'.repeat(100)}`,
    ];
    for (const endpoint of endpoints) {
      const plugin = runTestProgram(['--endpoint', endpoint]).trim();
      let sender: string;
      try {
        sender = validateEndpoint(endpoint);
      } catch (error) {
        expect(isBlurcamError(error, 'ENDPOINT_INVALID')).toBe(true);
        sender = 'refused';
      }
      expect({ endpoint, verdict: plugin.startsWith('refused: ') ? 'refused' : plugin }).toEqual({ endpoint, verdict: sender });
    }
  });

  it('computes the same default endpoint as src/transport/endpoint.ts', () => {
    const withRuntimeDir = { ...process.env, XDG_RUNTIME_DIR: '/run/user/4321/' };
    expect(runTestProgram(['--default-endpoint'], withRuntimeDir).trim()).toBe(defaultEndpoint({ env: withRuntimeDir }));
    const withoutRuntimeDir = { ...process.env };
    delete withoutRuntimeDir.XDG_RUNTIME_DIR;
    expect(runTestProgram(['--default-endpoint'], withoutRuntimeDir).trim()).toBe(defaultEndpoint({ env: withoutRuntimeDir }));
  });

  it("builds the macOS default from the per-user temporary folder the way the plugin builds it from its runtime folder", () => {
    // Only a Mac runs the plugin's confstr(_CS_DARWIN_USER_TEMP_DIR) branch (obs/test checks it there). Here: the
    // path built from a folder, and the fallback when the folder cannot be told, match the plugin's.
    const folder = '/var/folders/ab/cd/T/';
    const plugin = runTestProgram(['--default-endpoint'], { ...process.env, XDG_RUNTIME_DIR: folder }).trim();
    expect(defaultEndpoint({ env: {}, platform: 'darwin', darwinTempDir: () => folder })).toBe(plugin);
    const withoutRuntimeDir = { ...process.env };
    delete withoutRuntimeDir.XDG_RUNTIME_DIR;
    const pluginFallback = runTestProgram(['--default-endpoint'], withoutRuntimeDir).trim();
    expect(defaultEndpoint({ env: { TMPDIR: folder }, platform: 'darwin', darwinTempDir: () => undefined })).toBe(pluginFallback);
  });

  it('judges chosen ipc socket paths exactly like src/transport/endpoint.ts', async () => {
    const base = join(workDir, 'folders');
    mkdirSync(base);
    const folder = (name: string, mode: number) => {
      const path = join(base, name);
      mkdirSync(path);
      chmodSync(path, mode);
      return path;
    };
    const paths: Record<string, string> = {
      private: join(folder('private', 0o700), 'frames.sock'),
      readable: join(folder('readable', 0o755), 'frames.sock'),
      'world-writable': join(folder('world-writable', 0o777), 'frames.sock'),
      'world-writable, sticky': join(folder('sticky', 0o1777), 'frames.sock'),
      'group-writable': join(folder('group-writable', 0o770), 'frames.sock'),
      missing: join(base, 'missing', 'frames.sock'),
    };
    const strangers = folder('strangers', 0o700);
    chownSync(strangers, STRANGER_UID, STRANGER_UID);
    paths["another user's folder"] = join(strangers, 'frames.sock');
    symlinkSync(folder('target', 0o700), join(base, 'linked'));
    paths['a folder through a symbolic link'] = join(base, 'linked', 'frames.sock');
    const plain = join(folder('plain', 0o700), 'frames.sock');
    writeFileSync(plain, '');
    paths['a file that is not a socket'] = plain;
    const foreign = join(folder('foreign', 0o700), 'frames.sock');
    const leftBehind = new Pull({ linger: 0 });
    await leftBehind.bind(`ipc://${foreign}`);
    leftBehind.close();
    chownSync(foreign, STRANGER_UID, STRANGER_UID);
    paths["another user's socket file"] = foreign;

    const verdicts: Record<string, string> = {};
    for (const [name, path] of Object.entries(paths)) {
      const plugin = runTestProgram(['--prepare-ipc', path]).trim().startsWith('ready') ? 'accepted' : 'refused';
      let sender = 'accepted';
      try {
        checkChosenIpcEndpoint(`ipc://${path}`);
      } catch (error) {
        expect(isBlurcamError(error, 'ENDPOINT_UNSAFE')).toBe(true);
        sender = 'refused';
      }
      expect({ name, plugin }).toEqual({ name, plugin: sender });
      verdicts[name] = sender;
    }
    expect(verdicts).toEqual({
      private: 'accepted',
      readable: 'accepted',
      'world-writable': 'refused',
      'world-writable, sticky': 'refused',
      'group-writable': 'refused',
      missing: 'refused',
      "another user's folder": 'refused',
      'a folder through a symbolic link': 'refused',
      'a file that is not a socket': 'refused',
      "another user's socket file": 'refused',
    });
  });

  it('reads the tcp key file the other side wrote, and refuses one others can read, like src/transport/link-keys.ts', () => {
    const writtenByBlurcam = join(workDir, 'keys-from-blurcam');
    const blurcamKeys = loadLinkKeys(writtenByBlurcam);
    expect(JSON.parse(runTestProgram(['--link-keys', writtenByBlurcam]))).toEqual(blurcamKeys);

    const writtenByPlugin = join(workDir, 'keys-from-plugin');
    const pluginKeys = JSON.parse(runTestProgram(['--link-keys', writtenByPlugin])) as unknown;
    expect(loadLinkKeys(writtenByPlugin)).toEqual(pluginKeys);
    expect(new Set(Object.values(blurcamKeys)).size).toBe(4);

    chmodSync(join(writtenByPlugin, LINK_KEYS_FILE_NAME), 0o640);
    expect(runTestProgram(['--link-keys', writtenByPlugin]).trim()).toBe('refused: the key file can be read or written by other users');
    expect(() => loadLinkKeys(writtenByPlugin)).toThrow(/the key file can be read or written by other users/);
  });

  const clang = findClang();
  it.skipIf(!clang)('survives a short libFuzzer run of its receive path under AddressSanitizer (scripts/fuzz-plugin.sh)', () => {
    const output = execFileSync(join(repoDir, 'scripts', 'fuzz-plugin.sh'), ['30000'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(output).toMatch(/^fuzz: 30000 executions in [\d.]+ s, corpus \d+ inputs, crashes 0 \(seed 1\)$/m);
  }, 180_000);
});
