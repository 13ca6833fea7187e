import { setTimeout as sleep } from 'node:timers/promises';

export interface PacedFrame {
  /** Which frame of the stream this is, counting from 0 at the first call; skips frames the reader missed. */
  index: number;
  /** When it was due, from process.hrtime.bigint(): the moment a camera would have taken it. */
  dueNs: bigint;
}

/**
 * Releases frames at a fixed rate, like a camera does, for sources that could go faster (a file, the demo).
 * A reader that falls more than a frame behind does not get a burst to catch up: like a camera's, the frames it
 * missed are gone, and the stream carries on from now.
 */
export class FramePacer {
  private readonly periodNs: bigint;
  private startNs: bigint | undefined;
  private nextIndex = 0;

  constructor(
    readonly fps: number,
    private readonly wait: (ms: number) => Promise<unknown> = (ms) => sleep(ms),
  ) {
    this.periodNs = BigInt(Math.round(1e9 / fps));
  }

  async next(): Promise<PacedFrame> {
    const now = process.hrtime.bigint();
    this.startNs ??= now;
    let dueNs = this.dueOf(this.nextIndex);
    if (now - dueNs > this.periodNs) {
      this.nextIndex = Math.floor((Number(now - this.startNs) * this.fps) / 1e9);
      dueNs = this.dueOf(this.nextIndex);
    }
    if (dueNs > now) await this.wait(Number(dueNs - now) / 1e6);
    return { index: this.nextIndex++, dueNs };
  }

  private dueOf(index: number): bigint {
    return (this.startNs as bigint) + BigInt(Math.round((index * 1e9) / this.fps));
  }
}
