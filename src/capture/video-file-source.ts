import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { BlurcamError, describeError } from '../errors.js';
import { cv, type Mat } from '../opencv.js';
import { FramePacer } from './frame-pacer.js';
import type { FrameSource, VideoFrame } from './frame-source.js';
import { FrameImage } from '../frame-image.js';

/** Used when a file does not say its frame rate. */
const FALLBACK_FPS = 30;

export interface VideoFileSourceOptions {
  /** Release frames at the file's own rate like a camera (`start`), or as fast as they decode (`bench`). */
  paced: boolean;
}

/**
 * `--input clip.mp4`: a video file played in a loop, through the same pipeline as a camera. Decoding runs on a
 * libuv thread (OpenCV's readAsync), so the event loop stays free while a frame decodes.
 */
export class VideoFileSource implements FrameSource {
  readonly description: string;
  readonly width: number;
  readonly height: number;
  private readonly pacer: FramePacer | undefined;
  private seq = 0;
  private firstFrame: Mat | undefined;
  private reading: Promise<unknown> | undefined;
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly capture: InstanceType<typeof cv.VideoCapture>,
    first: Mat,
    readonly fps: number,
    paced: boolean,
  ) {
    this.firstFrame = first;
    this.width = first.cols;
    this.height = first.rows;
    this.pacer = paced ? new FramePacer(fps) : undefined;
    this.description = `${path} (${first.cols}x${first.rows} @ ${fps} fps, looping${paced ? '' : ', unpaced'})`;
  }

  /** Opens the file and decodes its first frame, so a file that does not play fails here, before the pipeline. */
  static async open(path: string, options: VideoFileSourceOptions): Promise<VideoFileSource> {
    const absolute = resolve(path);
    if (!existsSync(absolute) || !statSync(absolute).isFile()) {
      throw new BlurcamError('PATH_NOT_FOUND', `--input ${path}: no such file.`, "Check the path, or use --input camera or --input demo.");
    }
    let capture: InstanceType<typeof cv.VideoCapture>;
    try {
      // FFmpeg reads every common file; letting OpenCV also try GStreamer only adds console noise on a bad file.
      capture = new cv.VideoCapture(absolute, cv.CAP_FFMPEG);
    } catch (error) {
      throw unreadable(path, 'FFmpeg could not open it', error);
    }
    const first = await capture.readAsync().catch((error: unknown) => {
      capture.release();
      throw unreadable(path, describeError(error), error);
    });
    if (first.empty) {
      capture.release();
      throw unreadable(path, 'no frame could be decoded');
    }
    const fps = capture.get(cv.CAP_PROP_FPS);
    const usableFps = Number.isFinite(fps) && fps > 0 && fps <= 240 ? fps : FALLBACK_FPS;
    return new VideoFileSource(absolute, capture, toBgr(first), usableFps, options.paced);
  }

  async read(): Promise<VideoFrame> {
    const seq = this.seq++;
    const paced = await this.pacer?.next();
    const captureTimeNs = paced?.dueNs ?? process.hrtime.bigint();
    const image = this.firstFrame ?? (await this.decodeNext());
    this.firstFrame = undefined;
    return { seq, captureTimeNs, image: new FrameImage(image) };
  }

  /** Waits for a frame being decoded, then lets go of the file. */
  async close(): Promise<void> {
    this.closed = true;
    await this.reading?.catch(() => undefined);
    this.capture.release();
  }

  /** The next frame, starting over at the end of the file. */
  private async decodeNext(): Promise<Mat> {
    if (this.closed) throw new Error('VideoFileSource: read after close');
    let frame = await this.track(this.capture.readAsync());
    if (frame.empty) {
      this.capture.set(cv.CAP_PROP_POS_FRAMES, 0);
      frame = await this.track(this.capture.readAsync());
      if (frame.empty) throw unreadable(this.path, 'it stopped decoding when played again from the start');
    }
    return toBgr(frame);
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.reading = work;
    return work;
  }
}

/** OpenCV decodes to BGR already; grey or 4-channel files are rare but would break the stages after. */
function toBgr(frame: Mat): Mat {
  if (frame.channels === 3) return frame;
  const bgr = frame.cvtColor(frame.channels === 4 ? cv.COLOR_BGRA2BGR : cv.COLOR_GRAY2BGR);
  frame.release();
  return bgr;
}

function unreadable(path: string, reason: string, cause?: unknown): BlurcamError {
  return new BlurcamError(
    'VIDEO_UNREADABLE',
    `--input ${path} does not play as video: ${reason}.`,
    'Use a video file OpenCV can decode (e.g. H.264 .mp4); check it plays with ffplay or VLC.',
    { cause },
  );
}
