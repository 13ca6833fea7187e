import type { FrameImage } from '../frame-image.js';
import type { PixelLoops } from '../native/native-pixels.js';
import { cv, type Mat, withScratch } from '../opencv.js';
import { coverImage } from './cover-image.js';
import type { Effect } from './effect.js';
import { shrunkMaskedBlur } from './masked-blur.js';
import { defaultPixelLoops } from './pixel-loops.js';

/** A JavaScript buffer and an OpenCV matrix over the same memory: OpenCV copies in, JavaScript reads it. */
interface SharedPlane {
  pixels: Buffer;
  mat: Mat;
}

/** What the blend keeps from frame to frame, for one frame size. */
interface WorkPlanes {
  width: number;
  height: number;
  mask: SharedPlane;
  /** Whether `mask` holds a composited frame's mask yet (prepare() blurs the next frame with it). */
  hasMask: boolean;
  /** The replacement image, scaled to cover the frame, as BGRA. */
  cover?: Mat;
}

/**
 * Frame-sized BGRA buffers kept for reuse: outputs (one being written, one waiting for the sink, one spare) and the
 * frames' own BGRA copies made by prepare() (one a frame in flight).
 */
const MAX_SPARE_BUFFERS = 5;

/** What prepare() did for a frame, for composite() to take over. */
interface Prepared {
  /** The frame as BGRA, which the person is copied and blended from. */
  foreground: Buffer;
  /** An output buffer that already holds the blurred background. */
  output?: Buffer;
}

/**
 * The mask prepare() blurs with comes from the frame before: the person is widened by this many pixels of the
 * blur's reduced size (8 frame pixels each at 720p) so that where they moved to still counts as person.
 */
const PREVIOUS_MASK_GROWTH = 1;

/**
 * Applies the effect in force to frames: (frame, mask) → BGRA pixels, ready to hand to a sink. The blend is written
 * straight into the output buffer: the background is laid down (the blur enlarged from its reduced size), then one
 * pass over the mask copies the person and mixes the soft edge from the frame's own BGRA copy. Both steps are the
 * `PixelLoops`: in C when the native addon is built (src/native/), else in OpenCV and JavaScript (pixel-loops.ts). Frame-sized buffers
 * are reused: output buffers come back through recycle() once the sink is done with them, the BGRA copies once
 * blended. A fresh 3.7 MB buffer per 720p frame would make V8 run a full garbage collection every few frames (it
 * counts that memory against its heap), each one a stall. The replacement image is scaled once per frame size.
 */
export class Compositor {
  private planes: WorkPlanes | undefined;
  private readonly spareBuffers: Buffer[] = [];
  /** What prepare() made for a frame, by frame. */
  private readonly prepared = new WeakMap<FrameImage, Prepared>();

  /** `pixelLoops`: the native addon's when built (defaultPixelLoops), else the OpenCV and JavaScript ones. */
  constructor(
    private currentEffect: Effect,
    private readonly pixelLoops: PixelLoops = defaultPixelLoops,
  ) {}

  get effect(): Effect {
    return this.currentEffect;
  }

  /** The effect for the frames composited from now on (the live scene or a control event changed it). */
  setEffect(effect: Effect): void {
    this.currentEffect = effect;
    // The replacement image was scaled for the previous effect.
    this.planes = undefined;
  }

  /** Whether frames need a person mask now (every effect but 'none'). */
  get needsMask(): boolean {
    return this.effect.kind !== 'none';
  }

  /**
   * Does the part of compositing `frame` that needs no mask of its own: the frame's BGRA copy, and for the blur its
   * blurred background laid into an output buffer from the last composited frame's mask (widened a little for
   * motion). The live path calls it while the segmenter's grid work runs on its own thread, so that work costs the
   * frame no time; composite() then only puts the person on top. Without it composite() does all the work itself.
   */
  prepare(frame: FrameImage): void {
    const { effect, planes } = this;
    if (effect.kind === 'none') return;
    const { width, height } = frame;
    const prepared: Prepared = { foreground: this.bgraCopy(frame) };
    if (effect.kind === 'blur' && planes?.hasMask && planes.width === width && planes.height === height) {
      const output = this.spareBuffer(width * height * 4);
      layBlurredBackground(frame, planes.mask.mat, effect.strength, PREVIOUS_MASK_GROWTH, output, this.pixelLoops);
      prepared.output = output;
    }
    this.prepared.set(frame, prepared);
  }

  /**
   * `frame` is 8-bit BGR; `mask` CV_8UC1 of the same size (255 = person), required unless the effect is 'none'.
   * Returns width * height * 4 bytes of BGRA, in a buffer that is the caller's until it hands it to recycle().
   */
  composite(frame: FrameImage, mask?: Mat): Buffer {
    const { effect } = this;
    const image = frame.mat;
    const { cols: width, rows: height } = image;
    if (effect.kind !== 'none' && !mask) throw new Error(`Compositor: the '${effect.kind}' effect needs a mask`);
    if (mask && (mask.rows !== height || mask.cols !== width)) {
      throw new Error(`Compositor: mask ${mask.cols}x${mask.rows} does not match frame ${width}x${height}`);
    }
    const prepared = this.prepared.get(frame);
    this.prepared.delete(frame);
    // Prepared for a blur that is still in force: the background is already in place.
    const output = prepared?.output;
    const ready = output !== undefined && effect.kind === 'blur';
    if (output && !ready) this.recycle(output);
    if (effect.kind === 'none' || !mask) {
      // The frame as it is: its BGRA copy is the output.
      return prepared?.foreground ?? this.bgraCopy(frame);
    }
    const out = ready ? output : this.spareBuffer(width * height * 4);
    const foreground = prepared?.foreground ?? this.bgraCopy(frame);
    const planes = this.planesFor(width, height);
    const { cover } = planes;
    // Wraps the output's memory without copying, so OpenCV writes straight into it.
    if (cover) withScratch((track) => cover.copyTo(track(bgraMat(out, width, height))));
    else if (effect.kind === 'blur' && !ready) layBlurredBackground(frame, mask, effect.strength, 0, out, this.pixelLoops);
    mask.copyTo(planes.mask.mat);
    planes.hasMask = true;
    this.pixelLoops.blendPerson(out, foreground, planes.mask.pixels);
    this.recycle(foreground);
    return out;
  }

  /** Gives back a buffer composite() returned, once nothing reads it any more: the next frame is written into it. */
  recycle(output: Buffer): void {
    if (this.spareBuffers.length < MAX_SPARE_BUFFERS) this.spareBuffers.push(output);
  }

  private spareBuffer(byteLength: number): Buffer {
    for (let spare = this.spareBuffers.pop(); spare; spare = this.spareBuffers.pop()) {
      if (spare.length === byteLength) return spare;
    }
    return Buffer.allocUnsafe(byteLength);
  }

  /** `frame` as BGRA in a buffer of ours, which the edge blend can read (a buffer the caller recycles). */
  private bgraCopy(frame: FrameImage): Buffer {
    const buffer = this.spareBuffer(frame.width * frame.height * 4);
    withScratch((track) => track(frame.mat.cvtColor(cv.COLOR_BGR2BGRA)).copyTo(track(bgraMat(buffer, frame.width, frame.height))));
    return buffer;
  }

  private planesFor(width: number, height: number): WorkPlanes {
    if (this.planes?.width === width && this.planes.height === height) return this.planes;
    const { effect } = this;
    this.planes = {
      width,
      height,
      mask: sharedPlane(width, height, cv.CV_8UC1, 1),
      hasMask: false,
      cover: effect.kind === 'replace' ? coverImage(effect.image, width, height).cvtColor(cv.COLOR_BGR2BGRA) : undefined,
    };
    return this.planes;
  }
}

/**
 * Writes `frame`'s masked blur, enlarged, into `out` (BGRA, frame size); `growMask` as shrunkMaskedBlur takes it.
 * Converted to BGRA while still small, then enlarged: a quarter of the work of converting it full size.
 */
function layBlurredBackground(frame: FrameImage, mask: Mat, strength: number, growMask: number, out: Buffer, pixelLoops: PixelLoops): void {
  withScratch((track) => {
    const blurred = track(shrunkMaskedBlur(frame, mask, strength, growMask, 4));
    pixelLoops.layBackground(out, frame.width, frame.height, blurred.getData(), blurred.cols, blurred.rows);
  });
}

/** Wraps a BGRA buffer as an OpenCV matrix without copying. */
function bgraMat(buffer: Buffer, width: number, height: number): Mat {
  return new cv.Mat(height, width, cv.CV_8UC4, buffer);
}

function sharedPlane(width: number, height: number, type: number, channels: number): SharedPlane {
  const pixels = Buffer.alloc(width * height * channels);
  // This Mat constructor wraps the buffer's memory without copying; the plane keeps both alive together.
  return { pixels, mat: new cv.Mat(height, width, type, pixels) };
}
