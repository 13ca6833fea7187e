/**
 * `npm run bench:obs` (tsx test/bench/obs-latency.ts [--seconds 20] [--size 1280x720] [--fps 30] [--endpoint E] [--hidden] [--json]):
 * starts a headless OBS with blurcam's plugin, feeds it frames through the real sender at the given rate and
 * prints the glass-to-OBS latency the plugin measured (capture timestamp to its hand-off to OBS: encoding,
 * ZeroMQ, validation and OBS's copy), median and p95, with the plugin's and the sender's counters.
 * The frames are generated, so "capture" is the moment each frame is made; with a camera, the pipeline's
 * own time (see `blurcam bench`) comes on top. The load average is printed with the figures: on a shared
 * machine the tail (p95) follows the load more than anything blurcam does.
 */
import { availableParallelism, loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { configDir } from '../../src/config-file.js';
import { parseSize } from '../../src/config.js';
import { keepFrameMemoryInProcess } from '../../src/opencv.js';
import { findObsPluginBuild, startHeadlessObs } from '../support/headless-obs.js';
import { setupBlurcamScene } from '../../src/control/obs-setup.js';
import { BlurcamError } from '../../src/errors.js';
import type { OutputFrame } from '../../src/output/frame-sink.js';
import { defaultEndpoint, validateEndpoint } from '../../src/transport/endpoint.js';
import { type PluginSourceStats, readPluginStats } from '../../src/control/plugin-stats.js';
import { ZmqFrameSender } from '../../src/transport/zmq-frame-sender.js';

const INPUT = 'blurcam camera';
/** OBS's first frames are slower (textures are created): they are left out of the figures. */
const WARMUP_MS = 2_000;
/** Distinct frames cycled through, so consecutive messages differ as camera frames do. */
const FRAME_VARIANTS = 4;

export interface ObsLatencyOptions {
  seconds: number;
  width: number;
  height: number;
  fps: number;
  /** Where the plugin listens; default: its default ipc endpoint in the throwaway OBS's runtime folder. */
  endpoint?: string;
  /**
   * Keep the source out of the live scene, so OBS does not render it: separates the bridge's own cost from
   * the rendering load (large where OBS renders in software, as under Xvfb).
   */
  hidden?: boolean;
}

export interface ObsLatencyReport extends ObsLatencyOptions {
  endpoint: string;
  obsVersion: string;
  /** 1-minute load average at the end, and the number of CPUs. */
  load: { average: number; cpus: number };
  latencyMs: PluginSourceStats['latencyMs'];
  plugin: Pick<PluginSourceStats, 'received' | 'shown' | 'dropped' | 'missed' | 'malformed' | 'malformedByReason'>;
  sender: { sent: number; dropped: number };
  /** The target: p95 under one frame interval. */
  targetMs: number;
  targetMet: boolean;
}

/** BGRA frames with a bright bar at a different place in each. */
function makeFrames(width: number, height: number): Buffer[] {
  return Array.from({ length: FRAME_VARIANTS }, (_, variant) => {
    const data = Buffer.alloc(width * height * 4, 0x40);
    const barStart = Math.floor((variant * width) / FRAME_VARIANTS);
    for (let y = 0; y < height; y++) data.fill(0xe0, (y * width + barStart) * 4, (y * width + barStart + Math.floor(width / 16)) * 4);
    return data;
  });
}

/** Sends frames at `fps` until `untilMs` (Date.now() clock), on a fixed schedule so late frames do not shift the next. */
async function feed(sender: ZmqFrameSender, frames: Buffer[], options: ObsLatencyOptions, untilMs: number, firstSeq: number): Promise<number> {
  const intervalMs = 1000 / options.fps;
  const start = performance.now();
  let seq = firstSeq;
  for (let i = 0; Date.now() < untilMs; i++) {
    const frame: OutputFrame = {
      seq: seq++,
      captureTimeNs: process.hrtime.bigint(),
      width: options.width,
      height: options.height,
      format: 'bgra',
      stride: options.width * 4,
      data: frames[i % frames.length],
    };
    sender.write(frame);
    await sleep(Math.max(0, start + (i + 1) * intervalMs - performance.now()));
  }
  return seq;
}

export async function measureObsLatency(options: ObsLatencyOptions): Promise<ObsLatencyReport> {
  // The blurcam process keeps freed frame memory in the process; without that each 3.7 MB message is fresh memory,
  // and the page faults triple the p95 on the development machine.
  keepFrameMemoryInProcess();
  const plugin = findObsPluginBuild();
  if (!plugin) {
    throw new BlurcamError('OBS_PLUGIN_MISSING', 'The OBS plugin is not built (no blurcam-obs.so under obs/build).', 'Run scripts/build-plugin.sh first.');
  }
  const obs = await startHeadlessObs({ plugin, width: options.width, height: options.height, fps: options.fps, detached: false });
  let sender: ZmqFrameSender | undefined;
  try {
    const connection = await obs.connect();
    // By default the source sits in the live scene, rendered every frame as when someone is on a call.
    const endpoint = options.endpoint ? validateEndpoint(options.endpoint) : defaultEndpoint({ env: obs.env });
    await setupBlurcamScene(connection, { sceneName: 'blurcam', endpoint, inputName: INPUT, program: options.hidden ? 'keep' : 'switch' });
    // Over tcp the sender needs the keys this OBS's plugin uses, in the settings folder of OBS's HOME.
    sender = new ZmqFrameSender(endpoint, { keyDir: configDir(obs.env) });
    const frames = makeFrames(options.width, options.height);

    const warmedUp = await feed(sender, frames, options, Date.now() + WARMUP_MS, 0);
    await readPluginStats(connection, { sourceName: INPUT, reset: true });
    const senderBefore = sender.stats;
    await feed(sender, frames, options, Date.now() + options.seconds * 1000, warmedUp);
    await sleep(200);
    const [stats] = await readPluginStats(connection, { sourceName: INPUT });
    const senderAfter = sender.stats;
    await connection.close();
    if (!stats) throw new Error(`the plugin reports no source "${INPUT}"; OBS's last lines:\n${obs.process?.logTail()}`);

    const targetMs = 1000 / options.fps;
    const { received, shown, dropped, missed, malformed, malformedByReason } = stats;
    return {
      ...options,
      endpoint,
      obsVersion: connection.version.obsVersion,
      load: { average: loadavg()[0], cpus: availableParallelism() },
      latencyMs: stats.latencyMs,
      plugin: { received, shown, dropped, missed, malformed, malformedByReason },
      sender: { sent: senderAfter.sent - senderBefore.sent, dropped: senderAfter.dropped - senderBefore.dropped },
      targetMs,
      targetMet: stats.latencyMs.samples > 0 && stats.latencyMs.p95 < targetMs,
    };
  } finally {
    await sender?.close();
    await obs.dispose();
  }
}

export function formatObsLatency(report: ObsLatencyReport): string {
  const { latencyMs: latency, plugin, sender } = report;
  const ms = (value: number) => `${value.toFixed(1)} ms`;
  return [
    `obs-latency: ${report.width}x${report.height} BGRA at ${report.fps} fps for ${report.seconds} s over ${report.endpoint} into OBS ${report.obsVersion} (headless, source ${report.hidden ? 'not shown' : 'live'})`,
    `glass-to-OBS latency: median ${ms(latency.median)}, p95 ${ms(latency.p95)}, max ${ms(latency.max)} over ${latency.samples} frames`,
    `target p95 < ${ms(report.targetMs)} (one frame): ${report.targetMet ? 'met' : 'NOT met'}`,
    `plugin: received ${plugin.received}, shown ${plugin.shown}, dropped ${plugin.dropped}, missed ${plugin.missed}, malformed ${plugin.malformed}`,
    `sender: sent ${sender.sent}, dropped ${sender.dropped}`,
    `load average ${report.load.average.toFixed(1)} on ${report.load.cpus} CPUs`,
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '20' },
      size: { type: 'string', default: '1280x720' },
      fps: { type: 'string', default: '30' },
      endpoint: { type: 'string' },
      hidden: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  const report = await measureObsLatency({
    seconds: Number(values.seconds),
    fps: Number(values.fps),
    endpoint: values.endpoint,
    hidden: values.hidden,
    ...parseSize(values.size ?? '1280x720'),
  });
  process.stdout.write(`${values.json ? JSON.stringify(report, null, 2) : formatObsLatency(report)}\n`);
}
