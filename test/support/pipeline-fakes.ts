import type { FrameSource, VideoFrame } from '../../src/capture/frame-source.js';
import { cv, type Mat } from '../../src/opencv.js';
import type { FrameSink, OutputFrame } from '../../src/output/frame-sink.js';
import type { Segmenter } from '../../src/segment/segmenter.js';
import { FrameImage } from '../../src/frame-image.js';

/** Lets microtasks and I/O callbacks run, so a test can look at the pipeline between steps. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Frames of `width` x `height` whose blue channel carries the sequence number, to recognise them downstream. */
export function numberedFrame(seq: number, width = 64, height = 48): Mat {
  return new cv.Mat(height, width, cv.CV_8UC3, [seq % 256, 80, 160]);
}

/**
 * The fake camera: each read() waits until the test calls push() (or fail()). It never yields unless told to, and
 * counts reads, so a test can check the pipeline asked for the next frame at once (the camera never waits).
 */
export class ManualSource implements FrameSource {
  readonly description = 'manual test camera';
  readonly fps = 30;
  reads = 0;
  closed = false;
  /** Every image delivered, to check who frees them. */
  readonly images: Mat[] = [];
  private seq = 0;
  private pending: { resolve: (frame: VideoFrame) => void; reject: (error: unknown) => void } | undefined;

  constructor(
    readonly width = 64,
    readonly height = 48,
  ) {}

  read(): Promise<VideoFrame> {
    this.reads++;
    return new Promise((resolve, reject) => (this.pending = { resolve, reject }));
  }

  /** Delivers the next frame to the pending read; returns its sequence number. */
  push(): number {
    if (!this.pending) throw new Error('ManualSource.push: nobody is reading');
    const seq = this.seq++;
    const { resolve } = this.pending;
    this.pending = undefined;
    const image = numberedFrame(seq, this.width, this.height);
    this.images.push(image);
    resolve({ seq, captureTimeNs: process.hrtime.bigint(), image: new FrameImage(image) });
    return seq;
  }

  fail(error: unknown): void {
    if (!this.pending) throw new Error('ManualSource.fail: nobody is reading');
    this.pending.reject(error);
    this.pending = undefined;
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

/**
 * A segmenter whose answers the test releases one by one, to make the segment stage deliberately slow. The masks
 * are real: the left half of the frame is the person.
 */
export class GatedSegmenter implements Segmenter {
  readonly provider = 'cpu' as const;
  readonly description = 'gated test segmenter';
  readonly seen: number[] = [];
  /** Every mask handed out, to check who frees them. */
  readonly masks: Mat[] = [];
  closed = false;
  private waiting: Array<() => void> = [];

  constructor(private gated = true) {}

  segment(frame: FrameImage): Promise<Mat> {
    const image = frame.mat;
    this.seen.push(image.getData()[0]);
    const mask = new cv.Mat(image.rows, image.cols, cv.CV_8UC1, 0);
    this.masks.push(mask);
    mask.drawRectangle(new cv.Rect(0, 0, image.cols / 2, image.rows), new cv.Vec3(255, 255, 255), -1);
    if (!this.gated) return Promise.resolve(mask);
    return new Promise((resolve) => this.waiting.push(() => resolve(mask)));
  }

  /** Lets the oldest waiting segmentation finish. */
  release(): void {
    const next = this.waiting.shift();
    if (!next) throw new Error('GatedSegmenter.release: nothing is waiting');
    next();
  }

  open(): void {
    this.gated = false;
    while (this.waiting.length) this.release();
  }

  reset(): void {}

  async close(): Promise<void> {
    this.closed = true;
  }
}

/** The end of a test pipeline: keeps what it is given, and can refuse frames like a slow consumer. */
export class RecordingSink implements FrameSink {
  readonly description = 'recording test sink';
  readonly frames: OutputFrame[] = [];
  refuse = false;
  closed = false;

  write(frame: OutputFrame): boolean {
    if (this.refuse) return false;
    // The pixels are lent for the call only (FrameSink's contract): keep a copy.
    this.frames.push({ ...frame, data: Buffer.from(frame.data) });
    return true;
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
