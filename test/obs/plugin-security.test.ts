/**
 * The frame link is private, in a real OBS: over tcp only blurcam's key gets frames in (a stranger without
 * it, or with a key of its own, is refused, counted and never shown), a stranger who takes the port first
 * gets nothing, an ipc path in a folder others can write to is refused on both sides, and a listener that
 * never accepts cannot hold up the source (the old socket probe blocked there, and OBS with it).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Pull, Push, curveKeyPair } from 'zeromq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configDir } from '../../src/config.js';
import type { ObsConnection } from '../../src/control/obs-connection.js';
import { BLURCAM_INPUT_NAME, setupBlurcamScene } from '../../src/control/obs-setup.js';
import { freePort } from '../support/headless-obs.js';
import { resolveEndpoint } from '../../src/transport/endpoint.js';
import { FRAME_PROTOCOL, writeFrameHeader } from '../../src/transport/frame-protocol.js';
import { loadLinkKeys } from '../../src/transport/link-keys.js';
import { expectFailure } from '../support/expect-blurcam-error.js';
import { type HeadlessObs, startHeadlessObs } from '../support/headless-obs.js';
import {
  PATTERN_A,
  type PatternSender,
  preparePluginTests,
  screenshot,
  showsPattern,
  showsPlaceholder,
  sourceStats,
  startPatternSender,
  waitFor,
} from './plugin-helpers.js';

const SCENE = 'blurcam';
const INPUT = BLURCAM_INPUT_NAME;
const testProgram = resolve(import.meta.dirname, '..', '..', 'obs', 'build', 'blurcam-protocol-test');
const sleep = (ms: number) => new Promise((resolveSleep) => setTimeout(resolveSleep, ms));

/** A valid 64x32 frame, all magenta: what a stranger would like to show in the call. */
function strangerFrame(seq: number): Buffer {
  const message = Buffer.alloc(FRAME_PROTOCOL.headerSize + 64 * 4 * 32);
  for (let at = FRAME_PROTOCOL.headerSize; at < message.length; at += 4) message.writeUInt32LE(0xffff00ff, at);
  writeFrameHeader(message, { width: 64, height: 32, format: 'bgra', stride: 64 * 4, seq, captureTimeNs: process.hrtime.bigint() });
  return message;
}

/** Pushes stranger frames for `durationMs` from a socket set up by `options` (no key, or a key of its own). */
async function pushAsStranger(endpoint: string, options: ConstructorParameters<typeof Push>[0], durationMs: number): Promise<void> {
  const push = new Push({ linger: 0, sendTimeout: 0, ...options });
  push.connect(endpoint);
  const until = Date.now() + durationMs;
  for (let seq = 0; Date.now() < until; seq++) {
    await push.send(strangerFrame(seq)).catch(() => undefined);
    await sleep(20);
  }
  push.close();
}

describe('the frame link is private in real OBS', { timeout: 120_000 }, () => {
  let obs: HeadlessObs;
  let connection: ObsConnection;
  let ipcEndpoint: string;
  let keyDir: string;
  let sender: PatternSender | undefined;
  let stuckListener: ChildProcess | undefined;

  async function setEndpoint(endpoint: string): Promise<void> {
    await connection.call('SetInputSettings', { inputName: INPUT, inputSettings: { endpoint }, overlay: true });
  }

  /** Waits until the source listens (or fails to) on `endpoint` and reports `state`, and its log line is out. */
  async function stateSoon(endpoint: string, state: string, logLine: string, inputName = INPUT) {
    return waitFor(`${inputName} in state ${state} on ${endpoint}`, async () => {
      const stats = await sourceStats(connection, inputName);
      return stats.endpoint === endpoint && stats.state === state && obs.logs().includes(logLine) ? stats : undefined;
    });
  }

  beforeAll(async () => {
    preparePluginTests();
    obs = await startHeadlessObs({ plugin: true });
    connection = await obs.connect();
    ipcEndpoint = `ipc://${join(obs.home, 'security.sock')}`;
    keyDir = configDir(obs.env);
    await setupBlurcamScene(connection, { sceneName: SCENE, endpoint: ipcEndpoint, inputName: INPUT });
  }, 240_000);

  afterAll(async () => {
    await sender?.kill();
    if (stuckListener && stuckListener.exitCode === null) stuckListener.kill('SIGKILL');
    await connection?.close();
    await obs?.dispose();
  }, 60_000);

  it("over tcp shows blurcam's frames only: strangers without the key or with their own are refused, counted, never shown", async () => {
    const endpoint = `tcp://127.0.0.1:${await freePort()}`;
    await setEndpoint(endpoint);
    sender = startPatternSender(endpoint, PATTERN_A, 30, '1280x720', keyDir);
    await waitFor("blurcam's frames over tcp", async () => (showsPattern(await screenshot(connection, INPUT, 160), PATTERN_A) ? true : undefined), 60_000);
    expect(obs.logs()).toContain(`[blurcam] source '${INPUT}' listening on ${endpoint} (CURVE, blurcam's key only)`);
    await sender.stop();
    sender = undefined;
    await waitFor('the placeholder', async () => (showsPlaceholder(await screenshot(connection, INPUT, 640)) ? true : undefined));
    const before = await sourceStats(connection, INPUT);

    // One stranger knows nothing; the other even knows the plugin's public key, but holds its own client key.
    const { serverPublic } = loadLinkKeys(keyDir);
    const strangerKeys = curveKeyPair();
    await Promise.all([
      pushAsStranger(endpoint, {}, 2_000),
      pushAsStranger(endpoint, { curveServerKey: serverPublic, curvePublicKey: strangerKeys.publicKey, curveSecretKey: strangerKeys.secretKey }, 2_000),
    ]);
    const after = await sourceStats(connection, INPUT);
    expect(after.received).toBe(before.received);
    expect(after.malformed).toBe(before.malformed);
    expect(after.refused - before.refused).toBeGreaterThanOrEqual(2);
    expect(showsPlaceholder(await screenshot(connection, INPUT, 640))).toBe(true);
    expect(obs.logs()).toMatch(/\[blurcam\] source 'blurcam camera' refused a peer on tcp:\/\/127\.0\.0\.1:\d+ that failed the handshake/);
  });

  it('gives a stranger who binds the tcp port first no frame, and says the port is taken', async () => {
    const endpoint = `tcp://127.0.0.1:${await freePort()}`;
    const stranger = new Pull({ linger: 0 });
    await stranger.bind(endpoint);
    const stolen: Buffer[] = [];
    void (async () => {
      for await (const [message] of stranger) stolen.push(message);
    })();
    try {
      await setEndpoint(endpoint);
      await stateSoon(endpoint, 'endpoint_error', `[blurcam] cannot listen on ${endpoint}: Address already in use`);
      sender = startPatternSender(endpoint, PATTERN_A, 30, '1280x720', keyDir);
      await sleep(2_000);
      expect(stolen).toEqual([]);
    } finally {
      await sender?.stop();
      sender = undefined;
      stranger.close();
    }
  });

  it('refuses an ipc path in a folder others can write to, on both sides', async () => {
    const shared = join(obs.home, 'shared');
    mkdirSync(shared);
    chmodSync(shared, 0o777);
    const endpoint = `ipc://${shared}/frames.sock`;
    await expectFailure(() => resolveEndpoint(endpoint), 'ENDPOINT_UNSAFE', /other users can write in its folder/);
    await setEndpoint(endpoint);
    await stateSoon(endpoint, 'endpoint_error', `[blurcam] cannot listen on ${endpoint}: its folder must belong to this user and be writable by no one else`);
    expect(existsSync(join(shared, 'frames.sock'))).toBe(false);
  });

  it('stops at once on an ipc socket whose listener never accepts, and OBS stays responsive', async () => {
    const stuckDir = join(obs.home, 'stuck');
    mkdirSync(stuckDir, { mode: 0o700 });
    const stuckPath = join(stuckDir, 'frames.sock');
    stuckListener = spawn(testProgram, ['--never-accept', stuckPath], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolveReady, reject) => {
      createInterface({ input: stuckListener!.stdout! }).once('line', (line) => (line === 'ready' ? resolveReady() : reject(new Error(line))));
      stuckListener!.once('exit', (code) => reject(new Error(`the stuck listener exited (${code})`)));
    });

    const inUse = `[blurcam] cannot listen on ipc://${stuckPath}: another program (another OBS?) is already listening on this socket`;
    await setEndpoint(`ipc://${stuckPath}`);
    await stateSoon(`ipc://${stuckPath}`, 'endpoint_error', inUse);

    // Changing the endpoint stops the source's thread: it must not sit in a connect() to the stuck listener.
    for (const endpoint of [ipcEndpoint, `ipc://${stuckPath}`, ipcEndpoint]) {
      const started = Date.now();
      await setEndpoint(endpoint);
      await waitFor('the endpoint to change', async () => ((await sourceStats(connection, INPUT)).endpoint === endpoint ? true : undefined), 10_000);
      expect(Date.now() - started).toBeLessThan(3_000);
    }
    const second = 'blurcam stuck';
    await connection.call('CreateInput', { sceneName: SCENE, inputName: second, inputKind: 'blurcam_source', inputSettings: { endpoint: `ipc://${stuckPath}` } });
    await stateSoon(`ipc://${stuckPath}`, 'endpoint_error', inUse, second);
    const started = Date.now();
    await connection.call('RemoveInput', { inputName: second });
    await waitFor('the source to go', async () => {
      const { inputs } = await connection.call('GetInputList', { inputKind: 'blurcam_source' });
      return inputs.some((input) => input.inputName === second) ? undefined : true;
    }, 10_000);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect((await connection.call('GetVersion')).obsVersion).toBeTruthy();
    stuckListener.kill('SIGKILL');
  });
});
