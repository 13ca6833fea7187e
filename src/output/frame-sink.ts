import type { BgraFrame } from '../transport/frame-protocol.js';

/** A composited frame ready to leave blurcam; seq and captureTimeNs are copied from the VideoFrame it was made from. */
export interface OutputFrame extends BgraFrame {
  /** Only BGRA for now; the frame protocol (docs/frame-protocol.md) can carry more. */
  readonly format: 'bgra';
}

/** Where composited frames go: OBS, a video file, or nowhere (benchmarks). */
export interface FrameSink {
  readonly description: string;
  /**
   * Hands one frame over without ever waiting on the consumer: returns false when the frame had to be
   * dropped (the consumer is slow or absent), so the pipeline counts it and moves on.
   * `frame.data` is lent for the call only: the pipeline writes a later frame into the same memory, so a sink
   * that needs the pixels after write() returns copies them first.
   */
  write(frame: OutputFrame): boolean;
  /** A short status for `start`'s status line (OBS's state, counts) and, after close(), its summary. */
  status?(): string;
  close(): Promise<void>;
}
