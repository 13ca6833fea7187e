import type { FrameImage } from '../frame-image.js';

/** One camera (or file, or demo) frame as it enters the pipeline. */
export interface VideoFrame {
  /** Counts up from 0 for each frame the source yields. */
  readonly seq: number;
  /**
   * When the frame was captured, from process.hrtime.bigint(): CLOCK_MONOTONIC on Linux and
   * mach_absolute_time on macOS, the same clock as libobs's os_gettime_ns(), so the OBS plugin can
   * measure glass-to-OBS latency across processes.
   */
  readonly captureTimeNs: bigint;
  /** 8-bit BGR (CV_8UC3), with what is derived from it. Owned by the pipeline once yielded: the source must not reuse it. */
  readonly image: FrameImage;
}

/** Where frames come from: a camera, a looping video file, or the built-in demo. */
export interface FrameSource {
  /** A short human label, e.g. "camera 0 (1280x720 @ 30 fps)". */
  readonly description: string;
  /** The size and rate the source really delivers (a camera may not honour the request). */
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  /** Resolves with the next frame; rejects with a BlurcamError when the source fails. */
  read(): Promise<VideoFrame>;
  /**
   * Lets go of the device until the next read(), which opens it again: a camera's light goes off while blurcam
   * has nothing to show. Sources that hold no device (files, the demo) leave it out.
   */
  release?(): Promise<void>;
  close(): Promise<void>;
}
