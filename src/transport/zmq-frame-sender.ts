/**
 * Sends composited frames to the OBS plugin over ZeroMQ, without ever making the pipeline wait.
 *
 * PUSH socket, connecting (the plugin binds, so either side may start first and ZeroMQ reconnects):
 * - `immediate` queues only to a connected plugin, so with OBS absent a frame is dropped, not parked;
 * - a send high-water mark of 1 lets at most one frame wait inside ZeroMQ: latency stays about one frame;
 * - `sendTimeout` 0 makes a full queue an immediate failure instead of a wait.
 * A frame that cannot be queued right away is dropped and counted. (PUB would never block either, but it
 * drops silently; PUSH tells us, so the counts are real.) See docs/bridge.md.
 */
import { Push } from 'zeromq';
import { validateEndpoint } from './endpoint.js';
import { type BgraFrame, encodeFrame } from './frame-protocol.js';

export interface FrameSenderStats {
  /** Frames handed to ZeroMQ (queued for the plugin). */
  sent: number;
  /** Frames dropped because the plugin was absent or still busy with the previous one. */
  dropped: number;
}

export class ZmqFrameSender {
  readonly endpoint: string;
  private readonly socket: Push;
  private readonly counts: FrameSenderStats = { sent: 0, dropped: 0 };
  private closed = false;

  /** Connects to `endpoint` (checked again here: frames only ever go to a local endpoint). */
  constructor(endpoint: string) {
    this.endpoint = validateEndpoint(endpoint);
    this.socket = new Push({
      immediate: true,
      sendHighWaterMark: 1,
      sendTimeout: 0,
      linger: 0,
      ipv6: this.endpoint.includes('[::1]'),
    });
    this.socket.connect(this.endpoint);
  }

  get stats(): FrameSenderStats {
    return { ...this.counts };
  }

  /** False when the frame was dropped; true when ZeroMQ took it (should it still fail, it counts as dropped). */
  write(frame: BgraFrame): boolean {
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
