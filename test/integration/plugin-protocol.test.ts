/**
 * The plugin's frame parser and endpoint rules, through the C test program (obs/test), and their agreement
 * with the TypeScript side: constants, messages the TS encoder writes, endpoint checks and the default.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isBlurcamError } from '../../src/errors.js';
import { defaultEndpoint, validateEndpoint } from '../../src/transport/endpoint.js';
import { FRAME_PROTOCOL, encodeFrame, framePayloadSize, writeFrameHeader } from '../../src/transport/frame-protocol.js';

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
    expect(Number(summary?.[1])).toBeGreaterThan(60);
    const covered = [...output.matchAll(/^covered (\w+)$/gm)].map((match) => match[1]);
    const constants = JSON.parse(runTestProgram(['--constants'])) as { errors: string[] };
    for (const error of constants.errors) expect(covered).toContain(error);
    expect(output).toMatch(/^ok fuzz: 200000 mutated headers/m);
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
});
