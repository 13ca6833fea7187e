/**
 * ZmqFrameSender against a real ZeroMQ receiver in another process (transport-receiver.mjs, which binds
 * like the plugin): frames arrive byte for byte over ipc and loopback tcp (CURVE); an absent or slow receiver
 * means dropped, counted frames and never a queue; a restarted receiver gets frames again; a stranger who
 * binds the tcp port first gets nothing; frames over the protocol's limits are refused and counted.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Pull, curveKeyPair } from 'zeromq';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BlurcamError } from '../../src/errors.js';
import type { OutputFrame } from '../../src/output/frame-sink.js';
import { FRAME_PROTOCOL, readFrameHeader } from '../../src/transport/frame-protocol.js';
import { LINK_KEYS_FILE_NAME, loadLinkKeys } from '../../src/transport/link-keys.js';
import { ZmqFrameSender, curveClientOptions } from '../../src/transport/zmq-frame-sender.js';
import { expectBlurcamError, thrownBlurcamError } from '../support/expect-blurcam-error.js';
import { freePort } from '../support/headless-obs.js';

const WIDTH = 1280;
const HEIGHT = 720;

interface Received {
  seq: number;
  size: number;
  payloadSha1: string;
  captureTimeNs: bigint;
  receivedNs: bigint;
  width: number;
  height: number;
  stride: number;
}

class Receiver {
  readonly messages: Received[] = [];
  private readonly child: ChildProcess;
  readonly ready: Promise<void>;
  private readonly exited: Promise<void>;

  constructor(endpoint: string, readDelayMs = 0, curveSecret?: string) {
    this.child = spawn(process.execPath, [join(import.meta.dirname, 'transport-receiver.mjs'), endpoint, String(readDelayMs)], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, ...(curveSecret ? { BLURCAM_TEST_CURVE_SECRET: curveSecret } : {}) },
    });
    this.exited = new Promise((resolve) => this.child.once('exit', () => resolve()));
    const lines = createInterface({ input: this.child.stdout! });
    this.ready = new Promise((resolve) => {
      lines.on('line', (line) => {
        const report = JSON.parse(line) as { ready?: true; header: string; size: number; payloadSha1: string; receivedNs: string };
        if (report.ready) return resolve();
        const header = readFrameHeader(Buffer.from(report.header, 'base64'));
        this.messages.push({ ...header, size: report.size, payloadSha1: report.payloadSha1, receivedNs: BigInt(report.receivedNs) });
      });
    });
  }

  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }
}

function frame(seq: number, stride = WIDTH * 4, width = WIDTH, height = HEIGHT): OutputFrame {
  const data = Buffer.alloc(stride * height, seq % 251);
  data.writeUInt32LE(seq, 0);
  return { seq, captureTimeNs: process.hrtime.bigint(), width, height, format: 'bgra', stride, data };
}

const sha1 = (data: Buffer) => createHash('sha1').update(data).digest('hex');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** Writes frame after frame until one is accepted: the sender connects in the background, as with OBS. */
async function writeUntilConnected(sender: ZmqFrameSender, seq: number): Promise<void> {
  await until('the sender to connect', () => sender.write(frame(seq)));
}

describe('ZmqFrameSender with a receiver in another process', () => {
  let dir: string;
  let keyDir: string;
  let count = 0;
  const cleanups: Array<() => Promise<void>> = [];
  const ipcEndpoint = () => `ipc://${join(dir, `frames-${count++}.sock`)}`;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'blurcam-transport-'));
    keyDir = join(dir, 'config', 'blurcam');
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A receiver like the plugin: over tcp a CURVE server with the plugin's key from `keyDir`. */
  function open(endpoint: string, readDelayMs = 0): { sender: ZmqFrameSender; receiver: Receiver } {
    const curveSecret = endpoint.startsWith('tcp://') ? loadLinkKeys(keyDir).serverSecret : undefined;
    const receiver = new Receiver(endpoint, readDelayMs, curveSecret);
    const sender = new ZmqFrameSender(endpoint, { keyDir });
    cleanups.push(() => receiver.kill(), () => sender.close());
    return { sender, receiver };
  }

  it.each([
    ['ipc', () => ipcEndpoint()],
    ['tcp on 127.0.0.1', async () => `tcp://127.0.0.1:${await freePort()}`],
    ['tcp on [::1]', async () => `tcp://[::1]:${await freePort()}`],
  ])('delivers every frame byte for byte in one message over %s', async (_, makeEndpoint) => {
    const { sender, receiver } = open(await makeEndpoint());
    await receiver.ready;
    await writeUntilConnected(sender, 0);
    await until('the first frame', () => receiver.messages.length === 1);
    const connected = sender.stats;

    const padded = WIDTH * 4 + 64;
    const sent = [frame(1), frame(2, padded), frame(3)];
    for (const next of sent) {
      expect(sender.write(next)).toBe(true);
      await until(`frame ${next.seq}`, () => receiver.messages.some((message) => message.seq === next.seq));
    }
    for (const next of sent) {
      const message = receiver.messages.find((candidate) => candidate.seq === next.seq)!;
      expect(message).toMatchObject({ width: WIDTH, height: HEIGHT, stride: next.stride, captureTimeNs: next.captureTimeNs });
      expect(message.size).toBe(FRAME_PROTOCOL.headerSize + next.stride * HEIGHT);
      expect(message.payloadSha1).toBe(sha1(next.data));
    }
    expect(sender.stats).toEqual({ sent: connected.sent + 3, dropped: connected.dropped, refused: 0 });
  });

  it('drops and counts every frame while nothing listens, without waiting', async () => {
    const sender = new ZmqFrameSender(ipcEndpoint());
    cleanups.push(() => sender.close());
    const accepted = Array.from({ length: 100 }, (_, seq) => sender.write(frame(seq)));
    expect(accepted.every((ok) => !ok)).toBe(true);
    await sleep(50);
    expect(sender.stats).toEqual({ sent: 0, dropped: 100, refused: 0 });
  });

  it('drops frames a slow receiver cannot take, and never builds a queue', async () => {
    const { sender, receiver } = open(ipcEndpoint(), 200);
    await receiver.ready;
    await writeUntilConnected(sender, 0);
    const connected = sender.stats;
    const written = 90;
    for (let seq = 1; seq <= written; seq++) {
      sender.write(frame(seq));
      await sleep(1000 / 30);
    }
    const receivedWhenDone = receiver.messages.length;
    await sleep(1500);
    const stats = sender.stats;
    expect(stats.sent + stats.dropped - connected.sent - connected.dropped).toBe(written);
    expect(stats.dropped - connected.dropped).toBeGreaterThan(written / 2);
    // What was still on its way when the writes stopped: the two one-frame queues, a frame in each side's
    // I/O thread and the one the receiver sleeps on. A queue would hold most of the 90 frames.
    expect(receiver.messages.length - receivedWhenDone).toBeLessThanOrEqual(5);
    expect(receiver.messages.length).toBe(stats.sent);
  });

  it('sends again, without a new sender, once a killed receiver is back', async () => {
    const endpoint = ipcEndpoint();
    const { sender, receiver } = open(endpoint);
    await receiver.ready;
    await writeUntilConnected(sender, 0);
    await receiver.kill();

    await until('drops while the receiver is gone', () => !sender.write(frame(1)));
    const restarted = new Receiver(endpoint);
    cleanups.push(() => restarted.kill());
    await restarted.ready;
    let seq = 2;
    await until('a frame at the restarted receiver', () => {
      sender.write(frame(seq++));
      return restarted.messages.length > 0;
    });
    expect(sender.stats.dropped).toBeGreaterThan(0);
  });

  it('drops frames written after close()', async () => {
    const sender = new ZmqFrameSender(ipcEndpoint());
    await sender.close();
    expect(sender.write(frame(0))).toBe(false);
    expect(sender.stats).toEqual({ sent: 0, dropped: 1, refused: 0 });
  });

  it('refuses and counts frames over the frame protocol\'s limits instead of sending them (FRAME_TOO_LARGE)', async () => {
    const endpoint = ipcEndpoint();
    const receiver = new Receiver(endpoint);
    const refusals: BlurcamError[] = [];
    const limited = new ZmqFrameSender(endpoint, { onRefused: (error) => refusals.push(error) });
    cleanups.push(() => receiver.kill(), () => limited.close());
    await receiver.ready;
    await until('the sender to connect', () => limited.write(frame(1, 64 * 4, 64, 2)));
    await until('the first frame', () => receiver.messages.length === 1);
    const before = receiver.messages.length;
    const droppedBefore = limited.stats.dropped;

    expect(limited.write(frame(2, 8193 * 4, 8193, 1))).toBe(false);
    expect(limited.write(frame(3, 4, 1, 8193))).toBe(false);
    expect(limited.write(frame(4, 64 * 4 + 260, 64, 2))).toBe(false);
    expect(limited.write(frame(5, 64 * 4 + 256, 64, 2))).toBe(true);
    await until('the last frame within the limits', () => receiver.messages.some((message) => message.seq === 5));
    await sleep(100);
    expect(receiver.messages.slice(before).map((message) => message.seq)).toEqual([5]);
    expect(limited.stats).toMatchObject({ refused: 3, dropped: droppedBefore });
    expect(limited.stats.sent).toBe(receiver.messages.length);
    expect(refusals).toHaveLength(1);
    expectBlurcamError(refusals[0], 'FRAME_TOO_LARGE', /^Frames are not sent to OBS: a 8193x1 frame is outside the frame protocol's 1\.\.8192 pixels per side\.$/);
  });

  it('gives a stranger who binds the tcp port first nothing, with or without a CURVE key of its own', async () => {
    for (const strangerKeys of [undefined, curveKeyPair()]) {
      const endpoint = `tcp://127.0.0.1:${await freePort()}`;
      const stranger = new Pull({ linger: 0, ...(strangerKeys ? { curveServer: true, curveSecretKey: strangerKeys.secretKey } : {}) });
      await stranger.bind(endpoint);
      const received: Buffer[] = [];
      void (async () => {
        for await (const [message] of stranger) received.push(message);
      })();
      const sender = new ZmqFrameSender(endpoint, { keyDir });
      for (let seq = 0; seq < 30; seq++) {
        sender.write(frame(seq, 64 * 4, 64, 2));
        await sleep(20);
      }
      await sleep(300);
      expect(received).toEqual([]);
      expect(sender.stats).toMatchObject({ sent: 0, dropped: 30 });
      await sender.close();
      stranger.close();
    }
  });

  it('sends over tcp only with usable keys (FRAME_LINK_KEYS) and an encrypting ZeroMQ (CURVE_UNAVAILABLE)', async () => {
    const endpoint = `tcp://127.0.0.1:${await freePort()}`;
    const looseDir = join(dir, 'loose');
    loadLinkKeys(looseDir);
    chmodSync(join(looseDir, LINK_KEYS_FILE_NAME), 0o644);
    const keysError = thrownBlurcamError(() => new ZmqFrameSender(endpoint, { keyDir: looseDir }));
    expectBlurcamError(keysError, 'FRAME_LINK_KEYS', /^Cannot use the frame link keys in .*loose: the key file can be read or written by other users\.$/);
    const curveError = thrownBlurcamError(() => curveClientOptions(keyDir, false));
    expectBlurcamError(curveError, 'CURVE_UNAVAILABLE', /^This ZeroMQ library cannot encrypt \(no CURVE support\), so blurcam refuses to send frames over tcp\.$/);
  });
});
