import { accessSync, constants, existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { BlurcamError, describeError } from '../errors.js';
import { cv, type Mat } from '../opencv.js';
import { listDevices, type CameraDevice, type DeviceListing } from './devices.js';
import type { FrameSource, VideoFrame } from './frame-source.js';
import { FrameImage } from '../frame-image.js';

/** What the camera source needs from OpenCV's VideoCapture; a test replaces it with a fake camera. */
export interface CaptureDevice {
  readAsync(): Promise<Mat>;
  get(property: number): number;
  set(property: number, value: number): boolean;
  release(): void;
}

/** Something happened to a running camera: the pipeline keeps going and the command tells the user. */
export type CameraEvent = { kind: 'lost'; error: BlurcamError } | { kind: 'recovered'; description: string };

export interface CameraSourceOptions {
  index: number;
  /** The requested size and rate; the camera may give others (see width, height, fps). */
  width: number;
  height: number;
  fps: number;
  /** How long the camera may take to give its first frame (macOS cameras take a second or two to start). */
  firstFrameTimeoutMs?: number;
  /** A running camera that gives no frame for this long counts as lost. */
  lostAfterMs?: number;
  /** Waits between attempts to get a lost camera back; the last one repeats. */
  retryDelaysMs?: number[];
  onEvent?: (event: CameraEvent) => void;
  platform?: NodeJS.Platform;
  /** Opens the camera; throws when it cannot. Default: OpenCV's VideoCapture with the platform's backend. */
  openDevice?: (index: number) => CaptureDevice;
  /** Lists the cameras, to name them and to refuse OBS's Virtual Camera. Default: devices.ts. */
  listCameras?: () => Promise<DeviceListing>;
  /** Facts about /dev/videoN on Linux, to tell a missing camera from a busy or forbidden one. */
  probeDevicePath?: (path: string) => { exists: boolean; accessError?: string };
}

const DEFAULT_FIRST_FRAME_TIMEOUT_MS = 5000;
const DEFAULT_LOST_AFTER_MS = 2000;
const DEFAULT_RETRY_DELAYS_MS = [250, 500, 1000, 2000, 4000];
/** Empty reads in a row before a camera counts as lost (one can happen while a camera adjusts). */
const EMPTY_READS_BEFORE_LOST = 3;
const EMPTY_READ_PAUSE_MS = 20;
/** How long closing waits for a frame being read before it stops waiting. */
const CLOSE_WAIT_MS = 1000;

const MACOS_CAMERA_ACCESS_HINT = 'System Settings > Privacy & Security > Camera: allow your terminal app, then run blurcam again.';

/**
 * A camera through OpenCV's VideoCapture (AVFoundation on macOS, V4L2 on Linux). Opening proves the camera works
 * (it must give a first frame) or says why not; frames are read on a libuv thread (readAsync), so waiting for the
 * camera never blocks the event loop. A camera that stops giving frames while running (unplugged, taken by another
 * app) is reported through `onEvent` and reopened with growing waits until it comes back or the source is closed;
 * meanwhile `read()` simply waits, and the pipeline keeps running.
 *
 * A read that never returns (a driver that hangs) holds one of libuv's four worker threads, which blurcam also
 * needs for files and video encoding. So at most one camera read is ever in flight: after a hung read the
 * camera is reported lost, and reopening waits until that read has returned (or the source closes).
 */
export class CameraSource implements FrameSource {
  readonly description: string;
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  private device: CaptureDevice | undefined;
  private pendingRead: Promise<unknown> | undefined;
  private firstFrame: Mat | undefined;
  private seq = 0;
  /** Set by release(): the next read opens the camera again, without reporting it lost and back. */
  private released = false;
  private readonly closing = new AbortController();

  private constructor(
    private readonly options: Required<Pick<CameraSourceOptions, 'index' | 'firstFrameTimeoutMs' | 'lostAfterMs' | 'retryDelaysMs'>> &
      CameraSourceOptions,
    private readonly label: string,
    opened: { device: CaptureDevice; first: Mat; fps: number },
  ) {
    this.device = opened.device;
    this.firstFrame = opened.first;
    this.width = opened.first.cols;
    this.height = opened.first.rows;
    this.fps = opened.fps;
    this.description = `${label} (${this.width}x${this.height} @ ${this.fps} fps)`;
  }

  static async open(options: CameraSourceOptions): Promise<CameraSource> {
    const settings = {
      ...options,
      firstFrameTimeoutMs: options.firstFrameTimeoutMs ?? DEFAULT_FIRST_FRAME_TIMEOUT_MS,
      lostAfterMs: options.lostAfterMs ?? DEFAULT_LOST_AFTER_MS,
      retryDelaysMs: options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS,
    };
    const listing = await (options.listCameras ?? listDevices)().catch(() => undefined);
    const known = listing?.cameras.find((camera) => camera.index === options.index);
    if (known?.isOwnOutput) {
      throw new BlurcamError(
        'BAD_OPTION',
        `--camera ${options.index} is "${known.name}", blurcam's own output through OBS: it would show itself.`,
        'Choose your real camera: "blurcam devices" lists them.',
      );
    }
    const label = known ? `camera ${options.index} "${known.name}"` : `camera ${options.index}`;
    const opened = await openCamera(settings, label, listing, () => undefined);
    return new CameraSource(settings, label, opened);
  }

  async read(): Promise<VideoFrame> {
    if (this.firstFrame) {
      const image = this.firstFrame;
      this.firstFrame = undefined;
      return this.frame(image);
    }
    let emptyReads = 0;
    for (;;) {
      const device = this.device ?? (this.released ? await this.reopen() : await this.reconnect());
      const result = await this.readWithin(device, this.options.lostAfterMs);
      if (result instanceof Error || result === 'timeout') {
        this.lose(result === 'timeout' ? `no frame for ${this.options.lostAfterMs} ms` : describeError(result));
        continue;
      }
      if (result.empty) {
        if (++emptyReads < EMPTY_READS_BEFORE_LOST) {
          await sleep(EMPTY_READ_PAUSE_MS, undefined, { signal: this.closing.signal });
          continue;
        }
        this.lose('it returns empty frames');
        continue;
      }
      return this.frame(result);
    }
  }

  /** Lets go of the camera (its light goes off) once the frame being read, if any, has arrived. */
  async release(): Promise<void> {
    const device = this.device;
    if (!device) return;
    this.device = undefined;
    this.released = true;
    await (this.pendingRead ?? Promise.resolve()).catch(() => undefined);
    device.release();
  }

  /**
   * Stops any reconnection and lets go of the camera once the frame being read (if any) has arrived. A camera
   * that hangs is left to be released when its read returns, rather than holding the shutdown up.
   */
  async close(): Promise<void> {
    this.closing.abort();
    const device = this.device;
    this.device = undefined;
    const settled = (this.pendingRead ?? Promise.resolve()).catch(() => undefined);
    if ((await within(settled, CLOSE_WAIT_MS)) === 'timeout') void settled.then(() => device?.release());
    else device?.release();
  }

  private frame(image: Mat): VideoFrame {
    // A camera that came back with another size is scaled to the first one: the outputs were opened for it.
    let fitted = image;
    if (image.cols !== this.width || image.rows !== this.height) {
      fitted = image.resize(this.height, this.width);
      image.release();
    }
    return { seq: this.seq++, captureTimeNs: process.hrtime.bigint(), image: new FrameImage(fitted) };
  }

  private async readWithin(device: CaptureDevice, timeoutMs: number): Promise<Mat | Error | 'timeout'> {
    const reading = device.readAsync();
    this.pendingRead = reading;
    return within(
      reading.catch((error: unknown) => (error instanceof Error ? error : new Error(String(error)))),
      timeoutMs,
    );
  }

  /** Reports the camera lost and lets go of it once its pending read (if any) has finished. */
  private lose(reason: string): void {
    const device = this.device;
    this.device = undefined;
    const pending = this.pendingRead ?? Promise.resolve();
    void pending.catch(() => undefined).then(() => device?.release());
    this.options.onEvent?.({
      kind: 'lost',
      error: new BlurcamError(
        'CAMERA_LOST',
        `${capitalise(this.label)} stopped giving frames (${reason}).`,
        'Plug it back in or close the app that took it: blurcam keeps retrying. Ctrl-C stops.',
      ),
    });
  }

  /** Opens the camera again after release(); one that will not open is then lost like any other, and retried. */
  private async reopen(): Promise<CaptureDevice> {
    this.released = false;
    await this.lastReadReturned();
    try {
      const opened = await openCamera(this.options, this.label, undefined, (reading) => (this.pendingRead = reading));
      // The proof frame is older than the reads that follow; the pipeline takes those.
      opened.first.release();
      this.device = opened.device;
      return opened.device;
    } catch (error) {
      this.lose(`it did not open again: ${describeError(error)}`);
      return this.reconnect();
    }
  }

  /** Waits for the last read (perhaps of a camera already let go) to return; rejects when the source closes. */
  private async lastReadReturned(): Promise<void> {
    const { signal } = this.closing;
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<void>((resolve) => signal.addEventListener('abort', (onAbort = () => resolve()), { once: true }));
    try {
      await Promise.race([(this.pendingRead ?? Promise.resolve()).catch(() => undefined), aborted]);
    } finally {
      if (onAbort) signal.removeEventListener('abort', onAbort);
    }
    signal.throwIfAborted();
  }

  /** Reopens the camera with growing waits until it gives a frame again; throws only when the source closes. */
  private async reconnect(): Promise<CaptureDevice> {
    const delays = this.options.retryDelaysMs;
    for (let attempt = 0; ; attempt++) {
      await sleep(delays[Math.min(attempt, delays.length - 1)], undefined, { signal: this.closing.signal });
      await this.lastReadReturned();
      try {
        const opened = await openCamera(this.options, this.label, undefined, (reading) => (this.pendingRead = reading));
        this.device = opened.device;
        this.firstFrame = undefined;
        this.options.onEvent?.({ kind: 'recovered', description: `${this.label} (${opened.first.cols}x${opened.first.rows})` });
        return opened.device;
      } catch (error) {
        if (this.closing.signal.aborted) throw error;
      }
    }
  }
}

/** The promise's value, or 'timeout' if it takes longer than `timeoutMs` (the promise itself runs on). */
async function within<T>(promise: Promise<T>, timeoutMs: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(resolve, timeoutMs, 'timeout')));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function openDeviceWithOpenCv(index: number, platform: NodeJS.Platform): CaptureDevice {
  const backend = platform === 'darwin' ? cv.CAP_AVFOUNDATION : platform === 'linux' ? cv.CAP_V4L2 : cv.CAP_ANY;
  return new cv.VideoCapture(index, backend);
}

/** Opens the camera, asks for the size and rate, and waits for its first frame. */
async function openCamera(
  options: CameraSourceOptions & { firstFrameTimeoutMs: number },
  label: string,
  listing: DeviceListing | undefined,
  onRead: (reading: Promise<Mat>) => void,
): Promise<{ device: CaptureDevice; first: Mat; fps: number }> {
  const platform = options.platform ?? process.platform;
  let device: CaptureDevice;
  try {
    device = (options.openDevice ?? ((index) => openDeviceWithOpenCv(index, platform)))(options.index);
  } catch (error) {
    throw explainOpenFailure({
      index: options.index,
      platform,
      cameras: listing?.cameras,
      devicePath: platform === 'linux' ? (options.probeDevicePath ?? probeDevicePath)(`/dev/video${options.index}`) : undefined,
      cause: error,
    });
  }
  // Most webcams give 720p at 30 fps only as MJPEG; V4L2 would otherwise pick raw YUYV at a lower rate.
  if (platform === 'linux') device.set(cv.CAP_PROP_FOURCC, cv.VideoWriter.fourcc('MJPG'));
  device.set(cv.CAP_PROP_FRAME_WIDTH, options.width);
  device.set(cv.CAP_PROP_FRAME_HEIGHT, options.height);
  device.set(cv.CAP_PROP_FPS, options.fps);

  const reading = device.readAsync();
  onRead(reading);
  const first = await within(
    reading.catch(() => undefined),
    options.firstFrameTimeoutMs,
  );
  if (first === 'timeout' || first === undefined || first.empty) {
    // A read still running must finish before the camera is released.
    void reading.catch(() => undefined).then(() => device.release());
    throw new BlurcamError(
      'CAMERA_NO_FRAMES',
      first === 'timeout'
        ? `${capitalise(label)} opened but gave no frame within ${options.firstFrameTimeoutMs} ms.`
        : `${capitalise(label)} opened but gives no frames.`,
      platform === 'darwin'
        ? `Close other apps using the camera; if it persists, ${MACOS_CAMERA_ACCESS_HINT}`
        : 'Close other apps using the camera, check it works in another app, or try another --camera index.',
    );
  }
  const reportedFps = device.get(cv.CAP_PROP_FPS);
  const fps = Number.isFinite(reportedFps) && reportedFps > 0 && reportedFps <= 240 ? reportedFps : options.fps;
  return { device, first, fps };
}

function probeDevicePath(path: string): { exists: boolean; accessError?: string } {
  if (!existsSync(path)) return { exists: false };
  try {
    accessSync(path, constants.R_OK | constants.W_OK);
    return { exists: true };
  } catch (error) {
    return { exists: true, accessError: (error as NodeJS.ErrnoException).code ?? describeError(error) };
  }
}

export interface OpenFailureFacts {
  index: number;
  platform: NodeJS.Platform;
  /** The cameras the platform listed, when it could. */
  cameras?: CameraDevice[];
  /** Linux: what the device node looks like. */
  devicePath?: { exists: boolean; accessError?: string };
  cause?: unknown;
}

/**
 * Why a camera would not open, as far as the platform lets us tell: no camera at that index, access not allowed
 * (macOS privacy settings; Linux device permissions), or in use by another app.
 */
export function explainOpenFailure(facts: OpenFailureFacts): BlurcamError {
  const { index, platform, cameras, devicePath, cause } = facts;
  const listHint = 'Run "blurcam devices" to see the cameras, then pick one with --camera N.';
  if (platform === 'linux' && devicePath) {
    if (!devicePath.exists) {
      return new BlurcamError('CAMERA_NOT_FOUND', `There is no camera ${index} (/dev/video${index} does not exist).`, listHint, { cause });
    }
    if (devicePath.accessError === 'EACCES' || devicePath.accessError === 'EPERM') {
      return new BlurcamError(
        'CAMERA_PERMISSION',
        `Not allowed to open camera ${index} (/dev/video${index}).`,
        'Add yourself to the "video" group (sudo usermod -aG video $USER), then log out and in again.',
        { cause },
      );
    }
    return new BlurcamError(
      'CAMERA_BUSY',
      `Camera ${index} (/dev/video${index}) exists but could not be opened: another app is probably using it.`,
      `Close the other app (see which one with: fuser -v /dev/video${index}), then try again.`,
      { cause },
    );
  }
  if (platform === 'darwin') {
    if (cameras && index >= cameras.length) {
      const known = cameras.length === 0 ? 'macOS lists no camera' : `macOS lists ${cameras.length} camera${cameras.length === 1 ? '' : 's'} (0..${cameras.length - 1})`;
      return new BlurcamError('CAMERA_NOT_FOUND', `There is no camera ${index}: ${known}.`, listHint, { cause });
    }
    return new BlurcamError(
      'CAMERA_PERMISSION',
      `Camera ${index} could not be opened: camera access is probably not allowed for this terminal (or another app holds the camera).`,
      MACOS_CAMERA_ACCESS_HINT,
      { cause },
    );
  }
  return new BlurcamError('CAMERA_NOT_FOUND', `Camera ${index} could not be opened (no such camera, or it is in use).`, listHint, { cause });
}
