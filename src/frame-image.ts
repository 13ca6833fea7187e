import { cv, type Mat } from './opencv.js';

/**
 * One frame's pixels (8-bit BGR) together with the images derived from them, owned and freed together. The
 * segmenter and the masked blur both start from the frame at half size; at 720p making that copy costs about
 * 0.2 ms, so it is made once, here, and both stages ask the frame for it.
 */
export class FrameImage {
  private half: Mat | undefined;

  constructor(readonly mat: Mat) {}

  get width(): number {
    return this.mat.cols;
  }

  get height(): number {
    return this.mat.rows;
  }

  /** The image at half its width and height (area averaging), made on first use. It belongs to the frame: never free it. */
  halfSize(): Mat {
    this.half ??= this.mat.resize(Math.max(1, Math.round(this.mat.rows / 2)), Math.max(1, Math.round(this.mat.cols / 2)), 0, 0, cv.INTER_AREA);
    return this.half;
  }

  /** Frees the derived images; they are made again on demand (benchmarks that reuse a frame, as if it were new). */
  releaseDerived(): void {
    this.half?.release();
    this.half = undefined;
  }

  /** Frees the image and everything derived from it. */
  release(): void {
    this.releaseDerived();
    this.mat.release();
  }
}
