import { cv, type Mat } from '../opencv.js';
import { blendEdges } from './blend-edges.js';
import { coverImage } from './cover-image.js';
import type { Effect } from './effect.js';
import { maskedBlur } from './masked-blur.js';

/** A JavaScript buffer and an OpenCV matrix over the same memory: OpenCV copies in, JavaScript reads it. */
interface SharedPlane {
  pixels: Buffer;
  mat: Mat;
}

/** What the blend keeps from frame to frame, for one frame size. */
interface WorkPlanes {
  width: number;
  height: number;
  foreground: SharedPlane;
  mask: SharedPlane;
  /** The replacement image, scaled to cover the frame, as BGRA. */
  cover?: Mat;
}

/**
 * Applies one effect to frames: (frame, mask) → BGRA pixels, ready to hand to a sink. The blend is written
 * straight into the output buffer: OpenCV lays down the background and then the fully-person pixels in bulk, and
 * a JavaScript pass mixes only the soft edge (blend-edges.ts). The edge pass reads buffers kept from frame to
 * frame, so the output is the only memory a frame allocates for JavaScript: fewer garbage collections, shorter
 * stalls. The replacement image is scaled once per frame size.
 */
export class Compositor {
  private planes: WorkPlanes | undefined;

  constructor(readonly effect: Effect) {}

  /** Whether frames need a person mask (every effect but 'none'). */
  get needsMask(): boolean {
    return this.effect.kind !== 'none';
  }

  /**
   * `image` is 8-bit BGR; `mask` CV_8UC1 of the same size (255 = person), required unless the effect is 'none'.
   * Returns width * height * 4 bytes of BGRA in a new buffer (the sink may keep it while it sends).
   */
  composite(image: Mat, mask?: Mat): Buffer {
    const { effect } = this;
    if (effect.kind === 'none') return releasedAfter(image.cvtColor(cv.COLOR_BGR2BGRA), (bgra) => bgra.getData());
    if (!mask) throw new Error(`Compositor: the '${effect.kind}' effect needs a mask`);
    if (mask.rows !== image.rows || mask.cols !== image.cols) {
      throw new Error(`Compositor: mask ${mask.cols}x${mask.rows} does not match frame ${image.cols}x${image.rows}`);
    }
    const { cols: width, rows: height } = image;
    const planes = this.planesFor(width, height);
    const out = Buffer.allocUnsafe(width * height * 4);
    // Wraps the output's memory without copying, so OpenCV writes straight into it.
    const outMat = new cv.Mat(height, width, cv.CV_8UC4, out);
    if (planes.cover) planes.cover.copyTo(outMat);
    else if (effect.kind === 'blur') {
      releasedAfter(maskedBlur(image, mask, effect.strength), (blurred) =>
        releasedAfter(blurred.cvtColor(cv.COLOR_BGR2BGRA), (bgra) => bgra.copyTo(outMat)),
      );
    }
    releasedAfter(mask.threshold(254, 255, cv.THRESH_BINARY), (inside) =>
      releasedAfter(image.cvtColor(cv.COLOR_BGR2BGRA), (person) => person.copyTo(outMat, inside)),
    );
    image.copyTo(planes.foreground.mat);
    mask.copyTo(planes.mask.mat);
    blendEdges(out, planes.foreground.pixels, planes.mask.pixels);
    return out;
  }

  private planesFor(width: number, height: number): WorkPlanes {
    if (this.planes?.width === width && this.planes.height === height) return this.planes;
    const { effect } = this;
    this.planes = {
      width,
      height,
      foreground: sharedPlane(width, height, cv.CV_8UC3, 3),
      mask: sharedPlane(width, height, cv.CV_8UC1, 1),
      cover: effect.kind === 'replace' ? coverImage(effect.image, width, height).cvtColor(cv.COLOR_BGR2BGRA) : undefined,
    };
    return this.planes;
  }
}

/**
 * Uses a frame-sized intermediate, then frees its memory at once instead of when the garbage collector gets to it:
 * OpenCV's memory is invisible to V8, and fresh memory for every frame costs page faults.
 */
function releasedAfter<T>(mat: Mat, use: (mat: Mat) => T): T {
  const result = use(mat);
  mat.release();
  return result;
}

function sharedPlane(width: number, height: number, type: number, channels: number): SharedPlane {
  const pixels = Buffer.alloc(width * height * channels);
  // This Mat constructor wraps the buffer's memory without copying; the plane keeps both alive together.
  return { pixels, mat: new cv.Mat(height, width, type, pixels) };
}
