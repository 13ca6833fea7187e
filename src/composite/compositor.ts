import { cv, type Mat } from '../opencv.js';
import { blendToBgra } from './blend-to-bgra.js';
import { coverImage } from './cover-image.js';
import type { Effect } from './effect.js';
import { maskedBlur } from './masked-blur.js';

/**
 * Applies one effect to frames: (frame, mask) → BGRA pixels, ready to hand to a sink. Keeps the replacement image
 * scaled to the frame size it last saw, so the scaling happens once, not per frame.
 */
export class Compositor {
  private cover: { width: number; height: number; pixels: Buffer } | undefined;

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
    if (effect.kind === 'none') return image.cvtColor(cv.COLOR_BGR2BGRA).getData();
    if (!mask) throw new Error(`Compositor: the '${effect.kind}' effect needs a mask`);
    if (mask.rows !== image.rows || mask.cols !== image.cols) {
      throw new Error(`Compositor: mask ${mask.cols}x${mask.rows} does not match frame ${image.cols}x${image.rows}`);
    }
    const background = effect.kind === 'blur' ? maskedBlur(image, mask, effect.strength).getData() : this.coverFor(image.cols, image.rows);
    const out = Buffer.allocUnsafe(image.rows * image.cols * 4);
    blendToBgra(image.getData(), background, mask.getData(), out);
    return out;
  }

  private coverFor(width: number, height: number): Buffer {
    if (this.effect.kind !== 'replace') throw new Error('Compositor: no replacement image');
    if (this.cover?.width !== width || this.cover.height !== height) {
      this.cover = { width, height, pixels: coverImage(this.effect.image, width, height).getData() };
    }
    return this.cover.pixels;
  }
}
