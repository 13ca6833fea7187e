import { join } from 'node:path';
import { configDir } from '../config-file.js';
import type { CameraFormat } from '../control/obs-canvas.js';
import { connectObs } from '../control/obs-connection.js';
import { ObsSession, type ObsSessionState } from '../control/obs-session.js';
import { BLURCAM_INPUT_NAME } from '../control/obs-setup.js';
import { type BlurcamError, describeError } from '../errors.js';
import { resolveEndpoint } from '../transport/endpoint.js';
import { type PluginSourceStats, readPluginStats } from '../control/plugin-stats.js';
import { ZmqFrameSender } from '../transport/zmq-frame-sender.js';
import type { FrameSink, OutputFrame } from './frame-sink.js';

export interface ObsOutputOptions {
  /** obs-websocket address and password (--obs-url, --obs-password); the password is never printed. */
  url: string;
  password?: string;
  /** The scene that holds blurcam's source (--scene). */
  sceneName: string;
  /** blurcam's other scenes (src/live/scene-config.ts), set up with the main one. */
  otherScenes?: readonly string[];
  /** --endpoint; default: the platform's private ipc socket (src/transport/endpoint.ts). */
  endpoint?: string;
  /** Start OBS when it does not answer (--launch-obs). */
  launch?: boolean;
  /** --obs-canvas: 'camera' makes OBS's canvas the frames' size and rate when no output runs; 'keep' leaves it. */
  canvas?: string;
  /** The frames' size and rate (createSink fills it in). */
  camera?: CameraFormat;
  /** What the user should hear about while frames flow: warnings, OBS lost and back. */
  onEvent?: (event: ObsOutputEvent) => void;
}

export type ObsOutputEvent =
  | { kind: 'warning'; warning: BlurcamError }
  | { kind: 'lost'; reason?: BlurcamError }
  | { kind: 'back' }
  /** What was done about OBS's canvas: at the first connection, and when a reconnection changed it. */
  | { kind: 'canvas'; line: string };

/** In blurcam's config folder: OBS's video settings from before blurcam matched the canvas to the camera. */
export const VIDEO_BACKUP_FILE = 'obs-video-backup.json';

/** The plugin's counters are read once at close; a gone or frozen OBS must not hold the shutdown up. */
const FINAL_STATS_TIMEOUT_MS = 2_000;

/**
 * `--output obs`: frames go to blurcam's OBS plugin through a ZmqFrameSender while an ObsSession keeps OBS set up
 * (the plugin's source kind checked, scene and source with this endpoint, program scene, Virtual Camera).
 * open() fails when OBS cannot be used (unreachable, wrong password, too old, plugin missing, launch failed), so
 * `start` stops before its loop. Once open, OBS may quit, crash or restart: the session and ZeroMQ reconnect by
 * themselves, and frames written meanwhile are dropped and counted, never queued.
 */
export class ObsOutput implements FrameSink {
  readonly description: string;
  private pluginCounts: string | undefined;
  private closing: Promise<void> | undefined;

  private constructor(
    /** The link to OBS, for what follows the live scene and control events (src/live/scene-director.ts). */
    readonly session: ObsSession,
    private readonly sender: ZmqFrameSender,
    private readonly options: ObsOutputOptions,
  ) {
    this.description = `OBS at ${options.url}, scene "${options.sceneName}", frames over ${sender.endpoint}`;
  }

  static async open(options: ObsOutputOptions): Promise<ObsOutput> {
    const endpoint = resolveEndpoint(options.endpoint);
    const { url, password, sceneName, otherScenes, launch, camera } = options;
    const canvas = camera && options.canvas !== 'keep' ? { camera, backupPath: join(configDir(), VIDEO_BACKUP_FILE) } : undefined;
    const session = new ObsSession({ url, password, sceneName, otherScenes, endpoint, launch, canvas });
    const notify = options.onEvent ?? (() => undefined);
    let previous: ObsSessionState = session.state;
    session.on('warning', (warning) => notify({ kind: 'warning', warning }));
    let canvasReported = false;
    session.on('ready', (setup) => {
      if (setup.canvas && (!canvasReported || setup.canvas.changed)) notify({ kind: 'canvas', line: setup.canvas.line });
      canvasReported = true;
    });
    session.on('state', (state, reason) => {
      if (state === 'reconnecting') notify({ kind: 'lost', reason });
      if (state === 'ready' && previous === 'reconnecting') notify({ kind: 'back' });
      previous = state;
    });
    await session.start();
    try {
      const sender = new ZmqFrameSender(endpoint, { onRefused: (warning) => notify({ kind: 'warning', warning }) });
      return new ObsOutput(session, sender, options);
    } catch (error) {
      await session.stop();
      throw error;
    }
  }

  write(frame: OutputFrame): boolean {
    return this.sender.write(frame);
  }

  /** While running: OBS's state and the sender's counts. After close(): the counts and the plugin's own. */
  status(): string {
    const { sent, dropped, refused } = this.sender.stats;
    const counts = `sent ${sent}, dropped ${dropped}${refused > 0 ? `, refused ${refused} (over the frame protocol's limits)` : ''}`;
    if (this.pluginCounts !== undefined) return `OBS: ${counts}; ${this.pluginCounts}`;
    return `OBS ${this.describeState()}, ${counts}`;
  }

  /** Reads the plugin's counters, then stops the session, then the sender. */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    this.pluginCounts = this.session.state === 'ready' ? await this.readPluginCounts() : 'plugin counters not read (OBS was not connected)';
    await this.session.stop();
    await this.sender.close();
  }

  private describeState(): string {
    const { state, programScene } = this.session;
    if (state === 'reconnecting') return 'unreachable, reconnecting';
    if (state !== 'ready') return state;
    if (this.session.showsBlurcam) return 'live';
    return `connected, but the live scene "${programScene?.sceneName ?? '?'}" does not show blurcam`;
  }

  private async readPluginCounts(): Promise<string> {
    const { url, password } = this.options;
    try {
      const obs = await connectObs({ url, password, connectTimeoutMs: FINAL_STATS_TIMEOUT_MS, requestTimeoutMs: FINAL_STATS_TIMEOUT_MS });
      try {
        const [stats] = await readPluginStats(obs, { sourceName: BLURCAM_INPUT_NAME });
        return stats ? formatPluginCounts(stats) : `plugin counters not read (OBS has no source "${BLURCAM_INPUT_NAME}")`;
      } finally {
        await obs.close();
      }
    } catch (error) {
      return `plugin counters not read (${describeError(error)})`;
    }
  }
}

function formatPluginCounts({ received, shown, dropped, missed, malformed, latencyMs }: PluginSourceStats): string {
  const latency = latencyMs.samples > 0 ? `, glass-to-OBS latency median ${latencyMs.median.toFixed(1)} ms, p95 ${latencyMs.p95.toFixed(1)} ms` : '';
  return `the plugin (since its source started) received ${received}, shown ${shown}, dropped ${dropped}, missed ${missed}, malformed ${malformed}${latency}`;
}
