/**
 * The blurcam source in a real OBS when things go wrong: malformed messages on its endpoint, blurcam killed
 * and restarted, OBS killed and restarted (leaving a stale socket file), an endpoint already taken, an
 * endpoint that would expose frames. OBS must keep running and the source must recover by itself.
 */
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Push } from 'zeromq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configDir } from '../../src/config.js';
import type { ObsConnection } from '../../src/control/obs-connection.js';
import { setupBlurcamScene } from '../../src/control/obs-setup.js';
import { defaultEndpoint } from '../../src/transport/endpoint.js';
import { FRAME_PROTOCOL, writeFrameHeader } from '../../src/transport/frame-protocol.js';
import { BLURCAM_INPUT_NAME } from '../../src/control/obs-setup.js';
import { type HeadlessObs, startHeadlessObs } from '../support/headless-obs.js';
import {
  PATTERN_A,
  PATTERN_B,
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

/** A well-formed 64x32 BGRA message, for the tests to spoil. */
function goodMessage(seq = 1): Buffer {
  const message = Buffer.alloc(FRAME_PROTOCOL.headerSize + 64 * 4 * 32, 0x80);
  writeFrameHeader(message, { width: 64, height: 32, format: 'bgra', stride: 64 * 4, seq, captureTimeNs: process.hrtime.bigint() });
  return message;
}

function withField(offset: number, value: number, size: 2 | 4 = 4): Buffer {
  const message = goodMessage();
  if (size === 2) message.writeUInt16LE(value, offset);
  else message.writeUInt32LE(value, offset);
  return message;
}

describe('blurcam source faults in real OBS', { timeout: 120_000 }, () => {
  let obs: HeadlessObs;
  let connection: ObsConnection;
  let endpoint: string;
  let sender: PatternSender | undefined;

  async function showsSoon(pattern: typeof PATTERN_A, what: string): Promise<void> {
    await waitFor(what, async () => (showsPattern(await screenshot(connection, INPUT, 160), pattern) ? true : undefined), 60_000);
  }

  beforeAll(async () => {
    preparePluginTests();
    obs = await startHeadlessObs({ plugin: true });
    connection = await obs.connect();
    endpoint = `ipc://${join(obs.home, 'faults.sock')}`;
    await setupBlurcamScene(connection, { sceneName: SCENE, endpoint, inputName: INPUT });
    sender = startPatternSender(endpoint, PATTERN_A);
    await showsSoon(PATTERN_A, 'the first frames');
  }, 240_000);

  afterAll(async () => {
    await sender?.kill();
    await connection?.close();
    await obs?.dispose();
  }, 60_000);

  it('drops garbage, truncated, oversized and malformed messages, counts each, and shows the next good frame', async () => {
    await sender?.stop();
    sender = undefined;
    const { offsets } = FRAME_PROTOCOL;
    const good = goodMessage();
    const bad: Array<[string, Buffer]> = [
      ['bad_magic', Buffer.from('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n')],
      ['bad_magic', Buffer.from(Array.from({ length: 100_000 }, (_, i) => (i * 7919) % 251))],
      ['truncated', Buffer.alloc(0)],
      ['truncated', good.subarray(0, 20)],
      ['truncated', good.subarray(0, good.length - 1)],
      ['oversized', Buffer.concat([good, Buffer.alloc(4096)])],
      ['bad_version', withField(offsets.version, 2, 2)],
      ['bad_header_size', withField(offsets.headerSize, 12, 2)],
      ['bad_dimensions', withField(offsets.width, 9000)],
      ['bad_format', withField(offsets.format, 77)],
      ['bad_stride', withField(offsets.stride, 10)],
      ['bad_payload_size', withField(offsets.payloadSize, 0xffffffff)],
    ];
    // Frames the sender sent before it stopped may still be on their way into OBS: the counts are read once the shown
    // count has stood still for a few reads (it failed once under a full run's load, a late frame counted as shown).
    let last = -1;
    let still = 0;
    const before = await waitFor('the stopped sender\'s last frames shown', async () => {
      const stats = await sourceStats(connection, INPUT);
      still = stats.shown === last ? still + 1 : 0;
      last = stats.shown;
      return still >= 2 ? stats : undefined;
    });
    const expected: Record<string, number> = {};
    for (const [reason] of bad) expected[reason] = (expected[reason] ?? 0) + 1;
    // A two-part message (header, then pixels) is two malformed messages to the plugin: one part per frame.
    expected.truncated += 1;
    expected.bad_magic += 1;
    const total = bad.length + 2;

    // The socket stays open until the plugin has counted everything: closing drops what is still queued.
    const push = new Push({ linger: 0 });
    let after: Awaited<ReturnType<typeof sourceStats>>;
    try {
      push.connect(endpoint);
      for (const [, message] of bad) await push.send(message);
      await push.send([good.subarray(0, FRAME_PROTOCOL.headerSize), good.subarray(FRAME_PROTOCOL.headerSize)]);
      after = await waitFor('every malformed message counted', async () => {
        const stats = await sourceStats(connection, INPUT);
        return stats.malformed - before.malformed >= total ? stats : undefined;
      });
    } finally {
      push.close();
    }
    for (const [reason, count] of Object.entries(expected)) {
      expect({ reason, count: after.malformedByReason[reason] - before.malformedByReason[reason] }).toEqual({ reason, count });
    }
    expect(after.shown).toBe(before.shown);
    expect(obs.process?.exited).toBe(false);
    expect((await connection.call('GetVersion')).obsVersion).toBeTruthy();
    expect(obs.logs()).toMatch(/\[blurcam\] source 'blurcam camera' dropped a malformed message \(bad_magic, \d+ bytes\)/);

    sender = startPatternSender(endpoint, PATTERN_B);
    await showsSoon(PATTERN_B, 'the next good frames');
  });

  it('recovers when blurcam is killed and started again', async () => {
    await sender?.kill();
    await waitFor('the placeholder', async () => (showsPlaceholder(await screenshot(connection, INPUT, 640)) ? true : undefined));
    sender = startPatternSender(endpoint, PATTERN_A);
    await showsSoon(PATTERN_A, 'frames from the new blurcam');
    expect((await sourceStats(connection, INPUT)).state).toBe('receiving');
  });

  it('recovers when OBS is killed and started again while blurcam keeps sending', async () => {
    await connection.close();
    await obs.kill();
    // The killed OBS left its socket file behind: the new one must notice it is stale and take it over.
    await obs.restart();
    connection = await obs.connect();
    await setupBlurcamScene(connection, { sceneName: SCENE, endpoint, inputName: INPUT });
    await showsSoon(PATTERN_A, 'frames after the OBS restart');
    const lastRun = obs.logs().slice(obs.logs().lastIndexOf('[blurcam] plugin loaded'));
    expect(lastRun).toContain(`[blurcam] source 'blurcam camera' listening on ${endpoint}`);
    expect(lastRun).not.toContain('cannot listen');
  });

  it('gives a second source on a taken endpoint the endpoint_error state, leaving the first one alone', async () => {
    const second = 'blurcam second';
    await connection.call('CreateInput', { sceneName: SCENE, inputName: second, inputKind: 'blurcam_source', inputSettings: { endpoint } });
    const stats = await waitFor('the endpoint error', async () => {
      const current = await sourceStats(connection, second);
      return current.state === 'endpoint_error' ? current : undefined;
    });
    expect(stats.endpoint).toBe(endpoint);
    expect(obs.logs()).toContain(`cannot listen on ${endpoint}: another program (another OBS?) is already listening on this socket`);
    const first = await sourceStats(connection, INPUT);
    await waitFor('the first source to go on', async () => ((await sourceStats(connection, INPUT)).shown > first.shown ? true : undefined));
    await connection.call('RemoveInput', { inputName: second });
  });

  it('moves to a new endpoint set in its properties, and frees the old one', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise((resolve) => server.close(resolve));
    const tcpEndpoint = `tcp://localhost:${port}`;
    await connection.call('SetInputSettings', { inputName: INPUT, inputSettings: { endpoint: tcpEndpoint }, overlay: true });
    await waitFor('the new endpoint', async () => ((await sourceStats(connection, INPUT)).endpoint === `tcp://127.0.0.1:${port}` ? true : undefined));
    expect(existsSync(endpoint.slice('ipc://'.length))).toBe(false);

    await sender?.stop();
    sender = startPatternSender(tcpEndpoint, PATTERN_B, 30, '1280x720', configDir(obs.env));
    await showsSoon(PATTERN_B, 'frames over tcp');
    await sender.stop();
    await connection.call('SetInputSettings', { inputName: INPUT, inputSettings: { endpoint }, overlay: true });
    sender = startPatternSender(endpoint, PATTERN_A);
    await showsSoon(PATTERN_A, 'frames over ipc again');
  });

  it('refuses an endpoint that would expose frames to the network and listens on the default instead', async () => {
    const exposed = 'blurcam exposed';
    await connection.call('CreateInput', { sceneName: SCENE, inputName: exposed, inputKind: 'blurcam_source', inputSettings: { endpoint: 'tcp://0.0.0.0:5599' } });
    const stats = await waitFor('the source to report', () => sourceStats(connection, exposed));
    expect(stats.endpoint).toBe(defaultEndpoint({ env: obs.env }));
    expect(obs.logs()).toContain(
      "source 'blurcam exposed': endpoint 'tcp://0.0.0.0:5599' refused (tcp endpoints must use 127.0.0.1, localhost or [::1] so frames stay on this machine); using the default",
    );
    await connection.call('RemoveInput', { inputName: exposed });
  });

  it('counts the frames blurcam numbered but never sent as missed, and a restart (lower number) as no gap', async () => {
    await sender?.stop();
    sender = undefined;
    const before = await sourceStats(connection, INPUT);
    const push = new Push({ linger: 0 });
    try {
      push.connect(endpoint);
      // 100 after the pattern sender's last frame, then 4 more (3 missing), then 0: blurcam started again.
      const first = before.lastSeq + 100;
      for (const seq of [first, first + 4, 0]) {
        await push.send(goodMessage(seq));
        await waitFor(`frame ${seq}`, async () => ((await sourceStats(connection, INPUT)).lastSeq === seq ? true : undefined));
      }
    } finally {
      push.close();
    }
    const after = await sourceStats(connection, INPUT);
    expect(after.received - before.received).toBe(3);
    expect(after.malformed).toBe(before.malformed);
    expect(after.missed - before.missed).toBe(99 + 3);
  });
});
