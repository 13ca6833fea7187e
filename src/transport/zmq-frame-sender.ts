/**
 * Sends composited frames to the OBS plugin over ZeroMQ, without ever making the pipeline wait.
 *
 * PUSH socket, connecting (the plugin binds, so either side may start first and ZeroMQ reconnects):
 * - `immediate` queues only to a connected plugin, so with OBS absent a frame is dropped, not parked;
 * - a send high-water mark of 1 lets at most one frame wait inside ZeroMQ: latency stays about one frame;
 * - `sendTimeout` 0 makes a full queue an immediate failure instead of a wait.
 * A frame that cannot be queued right away is dropped and counted. (PUB would never block either, but it
 * drops silently; PUSH tells us, so the counts are real.) Over tcp the socket is a CURVE client with
 * blurcam's key, so only the plugin (the holder of the server key) can receive the frames and only blurcam
 * can send them. See docs/bridge.md.
 */
import { Push, capability } from 'zeromq';
import { BlurcamError } from '../errors.js';
import { validateEndpoint } from './endpoint.js';
import { type BgraFrame, FRAME_PROTOCOL, encodeFrame } from './frame-protocol.js';
import { loadLinkKeys } from './link-keys.js';

export interface FrameSenderStats {
  /** Frames handed to ZeroMQ (queued for the plugin). */
  sent: number;
  /** Frames dropped because the plugin was absent or still busy with the previous one. */
  dropped: number;
  /** Frames never sent because the plugin would refuse them (over the frame protocol's limits). */
  refused: number;
}

export interface FrameSenderOptions {
  /** Where the tcp keys live: blurcam's settings folder by default (src/transport/link-keys.ts). */
  keyDir?: string;
  /** Called once, for the first frame refused, with the reason. */
  onRefused?: (error: BlurcamError) => void;
}

/** Why the plugin would refuse this frame (docs/frame-protocol.md), or undefined when it fits the protocol. */
export function frameLimitProblem(frame: BgraFrame): string | undefined {
  const { maxDimension, maxRowPadding } = FRAME_PROTOCOL;
  const size = `${frame.width}x${frame.height}`;
  if (frame.width < 1 || frame.height < 1 || frame.width > maxDimension || frame.height > maxDimension) {
    return `a ${size} frame is outside the frame protocol's 1..${maxDimension} pixels per side`;
  }
  if (frame.stride < frame.width * 4 || frame.stride > frame.width * 4 + maxRowPadding) {
    return `a ${size} frame with rows of ${frame.stride} bytes is outside the frame protocol's row padding (0..${maxRowPadding} bytes)`;
  }
  return undefined;
}

export class ZmqFrameSender {
  readonly endpoint: string;
  private readonly socket: Push;
  private readonly counts: FrameSenderStats = { sent: 0, dropped: 0, refused: 0 };
  private readonly onRefused: ((error: BlurcamError) => void) | undefined;
  private closed = false;

  /**
   * Connects to `endpoint` (checked again here: frames only ever go to a local endpoint). Over tcp, throws
   * CURVE_UNAVAILABLE when this ZeroMQ cannot encrypt, FRAME_LINK_KEYS when the keys are not usable.
   */
  constructor(endpoint: string, options: FrameSenderOptions = {}) {
    this.endpoint = validateEndpoint(endpoint);
    this.onRefused = options.onRefused;
    this.socket = new Push({
      immediate: true,
      sendHighWaterMark: 1,
      sendTimeout: 0,
      linger: 0,
      ipv6: this.endpoint.includes('[::1]'),
      ...(this.endpoint.startsWith('tcp://') ? curveClientOptions(options.keyDir) : {}),
    });
    this.socket.connect(this.endpoint);
  }

  get stats(): FrameSenderStats {
    return { ...this.counts };
  }

  /** False when the frame was dropped or refused; true when ZeroMQ took it (should it still fail, it counts as dropped). */
  write(frame: BgraFrame): boolean {
    const problem = frameLimitProblem(frame);
    if (problem) {
      if (this.counts.refused++ === 0) {
        this.onRefused?.(
          new BlurcamError('FRAME_TOO_LARGE', `Frames are not sent to OBS: ${problem}.`, 'Use a smaller camera resolution (at most 8192 pixels per side).'),
        );
      }
      return false;
    }
    if (this.closed || !this.socket.writable) {
      this.counts.dropped++;
      return false;
    }
    // Resolves at once when the frame was queued; a rejection (the queue filled in between) is a drop.
    this.socket.send(encodeFrame(frame)).then(
      () => this.counts.sent++,
      () => this.counts.dropped++,
    );
    return true;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.socket.close();
  }
}

/**
 * CURVE client settings: blurcam's key pair and the plugin's public key, so a stranger can neither send nor
 * listen. `hasCurve` is whether this zeromq build can encrypt (its prebuilt binaries can).
 */
export function curveClientOptions(keyDir: string | undefined, hasCurve = capability.curve === true): Partial<Push> {
  if (!hasCurve) {
    throw new BlurcamError(
      'CURVE_UNAVAILABLE',
      'This ZeroMQ library cannot encrypt (no CURVE support), so blurcam refuses to send frames over tcp.',
      'Use an ipc endpoint (leave --endpoint out for the default), or reinstall the zeromq npm package (its prebuilt binaries include CURVE).',
    );
  }
  const keys = loadLinkKeys(keyDir);
  return { curveServerKey: keys.serverPublic, curvePublicKey: keys.clientPublic, curveSecretKey: keys.clientSecret };
}
