import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BlurcamError } from '../../src/errors.js';
import { darwinUserTempDir, defaultEndpoint, resolveEndpoint, validateEndpoint } from '../../src/transport/endpoint.js';
import { thrownBlurcamError as thrown } from '../support/expect-blurcam-error.js';


describe('defaultEndpoint', () => {
  it("uses XDG_RUNTIME_DIR on Linux and the per-user temporary folder on macOS, whatever the process's TMPDIR", () => {
    const env = { XDG_RUNTIME_DIR: '/run/user/1000', TMPDIR: '/private/tmp/from-a-terminal/' };
    const darwinTempDir = () => '/var/folders/ab/cd/T/';
    expect(defaultEndpoint({ env, platform: 'linux', uid: 1000, darwinTempDir })).toBe('ipc:///run/user/1000/blurcam/frames.sock');
    expect(defaultEndpoint({ env, platform: 'darwin', uid: 501, darwinTempDir })).toBe('ipc:///var/folders/ab/cd/T/blurcam/frames.sock');
    expect(defaultEndpoint({ env: {}, platform: 'darwin', uid: 501, darwinTempDir })).toBe('ipc:///var/folders/ab/cd/T/blurcam/frames.sock');
  });

  it('on macOS falls back to /tmp/blurcam-<uid> when the per-user folder cannot be told, as the plugin does', () => {
    const env = { TMPDIR: '/var/folders/ab/cd/T/' };
    expect(defaultEndpoint({ env, platform: 'darwin', uid: 501, darwinTempDir: () => undefined })).toBe('ipc:///tmp/blurcam-501/frames.sock');
  });

  it('asks getconf for the per-user temporary folder, which only macOS knows', () => {
    // Linux's getconf has no DARWIN_USER_TEMP_DIR: the lookup fails cleanly, and the answer is cached.
    if (process.platform === 'darwin') expect(darwinUserTempDir()).toMatch(/^\/.+\/T\/?$/);
    else expect(darwinUserTempDir()).toBeUndefined();
    expect(darwinUserTempDir()).toBe(darwinUserTempDir());
  });

  it('falls back to a per-user folder in /tmp without a runtime folder', () => {
    expect(defaultEndpoint({ env: {}, platform: 'linux', uid: 1000 })).toBe('ipc:///tmp/blurcam-1000/frames.sock');
    expect(defaultEndpoint({ env: { XDG_RUNTIME_DIR: 'relative' }, platform: 'linux', uid: 7 })).toBe('ipc:///tmp/blurcam-7/frames.sock');
  });
});

describe('validateEndpoint', () => {
  it('accepts ipc paths and loopback tcp, spelling localhost as 127.0.0.1', () => {
    expect(validateEndpoint('ipc:///run/user/1000/blurcam/frames.sock', 'linux')).toBe('ipc:///run/user/1000/blurcam/frames.sock');
    expect(validateEndpoint('tcp://127.0.0.1:5555')).toBe('tcp://127.0.0.1:5555');
    expect(validateEndpoint('tcp://localhost:5555')).toBe('tcp://127.0.0.1:5555');
    expect(validateEndpoint('tcp://[::1]:5555')).toBe('tcp://[::1]:5555');
  });

  it('says ENDPOINT_INVALID for a tcp endpoint other machines could reach', () => {
    const error = thrown(() => validateEndpoint('tcp://0.0.0.0:5555'));
    expect(error.code).toBe('ENDPOINT_INVALID');
    expect(error.message).toBe(
      'Endpoint "tcp://0.0.0.0:5555" is refused: tcp endpoints must use 127.0.0.1, localhost or [::1] so frames stay on this machine.',
    );
    expect(error.hint).toMatch(/ipc:\/\/\/absolute\/path\.sock or tcp:\/\/127\.0\.0\.1:PORT/);
  });

  it('says ENDPOINT_INVALID for a bad port, a relative or abstract ipc path, another transport, a path too long', () => {
    const cases: Array<[string, string]> = [
      ['tcp://127.0.0.1:0', 'the tcp port must be a number from 1 to 65535'],
      ['tcp://127.0.0.1:*', 'the tcp port must be a number from 1 to 65535'],
      ['ipc://frames.sock', 'ipc endpoints need an absolute path'],
      ['ipc://@blurcam', 'ipc endpoints need an absolute path'],
      ['inproc://frames', 'only ipc:// and tcp:// (loopback) endpoints are allowed'],
      ['', 'it is empty or too long'],
      [`ipc:///${'x'.repeat(110)}`, 'the ipc socket path is too long for this system'],
    ];
    for (const [endpoint, reason] of cases) {
      const error = thrown(() => validateEndpoint(endpoint, 'linux'));
      expect(error.code).toBe('ENDPOINT_INVALID');
      expect(error.message).toBe(`Endpoint "${endpoint}" is refused: ${reason}.`);
    }
    // macOS's sun_path is 4 bytes shorter than Linux's.
    expect(() => validateEndpoint(`ipc:///${'x'.repeat(104)}`, 'darwin')).toThrow(BlurcamError);
    expect(validateEndpoint(`ipc:///${'x'.repeat(104)}`, 'linux')).toMatch(/^ipc:/);
  });
});

describe('resolveEndpoint', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('returns a given tcp endpoint checked, without touching the file system', () => {
    expect(resolveEndpoint('tcp://localhost:6000')).toBe('tcp://127.0.0.1:6000');
    expect(() => resolveEndpoint('tcp://example.com:6000')).toThrow(/refused/);
  });

  it('accepts a chosen ipc path in a folder of the user that only the user can write to', () => {
    dir = mkdtempSync(join(tmpdir(), 'blurcam-endpoint-'));
    chmodSync(dir, 0o755);
    expect(resolveEndpoint(`ipc://${dir}/frames.sock`)).toBe(`ipc://${dir}/frames.sock`);
    expect(statSync(dir).mode & 0o777).toBe(0o755);
  });

  it('says ENDPOINT_UNSAFE for a chosen ipc path others could take over', () => {
    dir = mkdtempSync(join(tmpdir(), 'blurcam-endpoint-'));
    const endpoint = `ipc://${dir}/frames.sock`;
    chmodSync(dir, 0o777);
    const error = thrown(() => resolveEndpoint(endpoint));
    expect(error.code).toBe('ENDPOINT_UNSAFE');
    expect(error.message).toBe(`The frame endpoint ${endpoint} is not private: other users can write in its folder ${dir}.`);
    chmodSync(dir, 0o1777);
    expect(thrown(() => resolveEndpoint(endpoint)).code).toBe('ENDPOINT_UNSAFE');
    chmodSync(dir, 0o770);
    expect(thrown(() => resolveEndpoint(endpoint)).code).toBe('ENDPOINT_UNSAFE');
    chmodSync(dir, 0o700);
    expect(thrown(() => resolveEndpoint(endpoint, { uid: (process.getuid?.() ?? 0) + 1 })).message).toMatch(/is not a folder of yours\.$/);
    expect(thrown(() => resolveEndpoint(`ipc://${dir}/missing/frames.sock`)).message).toMatch(/does not exist\.$/);
    writeFileSync(join(dir, 'frames.sock'), '');
    expect(thrown(() => resolveEndpoint(endpoint)).message).toMatch(/the path exists and is not a socket\.$/);
  });

  it('creates the default folder private (0700), and makes an existing one private again', () => {
    dir = mkdtempSync(join(tmpdir(), 'blurcam-endpoint-'));
    const env = { XDG_RUNTIME_DIR: dir, TMPDIR: dir };
    const endpoint = resolveEndpoint(undefined, { env });
    expect(endpoint).toBe(`ipc://${dir}/blurcam/frames.sock`);
    expect(statSync(join(dir, 'blurcam')).mode & 0o777).toBe(0o700);
    chmodSync(join(dir, 'blurcam'), 0o755);
    expect(resolveEndpoint('', { env })).toBe(endpoint);
    expect(statSync(join(dir, 'blurcam')).mode & 0o777).toBe(0o700);
  });

  it('says ENDPOINT_INVALID when the default folder belongs to someone else or is not a folder', () => {
    dir = mkdtempSync(join(tmpdir(), 'blurcam-endpoint-'));
    mkdirSync(join(dir, 'blurcam'));
    const env = { XDG_RUNTIME_DIR: dir, TMPDIR: dir };
    const otherUser = (process.getuid?.() ?? 0) + 1;
    const error = thrown(() => resolveEndpoint(undefined, { env, uid: otherUser }));
    expect(error.code).toBe('ENDPOINT_INVALID');
    expect(error.message).toBe(`The folder ${join(dir, 'blurcam')} of the frame endpoint is not a folder of yours.`);

    rmSync(join(dir, 'blurcam'), { recursive: true });
    writeFileSync(join(dir, 'blurcam'), '');
    expect(thrown(() => resolveEndpoint(undefined, { env })).code).toBe('ENDPOINT_INVALID');
  });
});
