/**
 * The control socket on real unix sockets: one blurcam at a time, status and stop, a socket left by a crash, and
 * the socket's permissions.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ControlServer, type RunningStatus, request } from '../../src/live/control-socket.js';
import { expectFailure } from '../support/expect-blurcam-error.js';

const STATUS: RunningStatus = {
  pid: 1234,
  startedAt: '2026-11-29T22:00:00.000Z',
  input: 'demo scene',
  effect: 'blur (strength 0.5)',
  mode: 'live',
  fpsIn: 30,
  fpsOut: 29.5,
  framesIn: 300,
  framesOut: 290,
  dropped: 10,
  segmented: 295,
  provider: 'cpu',
  output: 'nowhere (null output)',
};

const servers: ControlServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

function socketPath(): string {
  return join(mkdtempSync(join(tmpdir(), 'blurcam-control-')), 'control.sock');
}

describe('ControlServer', () => {
  it('answers status and stop, on a socket only its user can open', async () => {
    const path = socketPath();
    let stops = 0;
    servers.push(await ControlServer.open({ status: () => STATUS, stop: () => stops++ }, path));
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(await request(path, 'status')).toEqual(STATUS);
    expect(await request(path, 'stop')).toEqual({ stopping: true });
    await new Promise((resolve) => setImmediate(resolve));
    expect(stops).toBe(1);
  });

  it('refuses a second blurcam while the first answers, and removes its socket when closed', async () => {
    const path = socketPath();
    const first = await ControlServer.open({ status: () => STATUS, stop: () => undefined }, path);
    await expectFailure(
      () => ControlServer.open({ status: () => STATUS, stop: () => undefined }, path),
      'ALREADY_RUNNING',
      /^blurcam is already running \(pid 1234, started 2026-11-29T22:00:00\.000Z, effect blur \(strength 0\.5\)\); two would fight over the camera\.$/,
    );
    await first.close();
    expect(existsSync(path)).toBe(false);
    await expectFailure(() => request(path, 'status'), 'NOT_RUNNING', /no control socket at .*control\.sock/);
  });

  it('replaces a socket left by a blurcam that was killed', async () => {
    const path = socketPath();
    const crashed = spawn(process.execPath, ['-e', `require('node:net').createServer().listen(${JSON.stringify(path)}, () => console.log('up'))`], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise((resolve) => crashed.stdout.once('data', resolve));
    crashed.kill('SIGKILL');
    await new Promise((resolve) => crashed.once('exit', resolve));
    expect(existsSync(path)).toBe(true);
    await expectFailure(() => request(path, 'status'), 'NOT_RUNNING', /does not answer/);
    servers.push(await ControlServer.open({ status: () => STATUS, stop: () => undefined }, path));
    expect(await request(path, 'status')).toEqual(STATUS);
  });
});
