import type { FrameImage } from '../frame-image.js';
import type { Mat } from '../opencv.js';

/** Which onnxruntime execution provider runs the model. */
export type Device = 'auto' | 'cpu' | 'coreml';

/** A person-segmentation engine: one image in, one mask out. */
export interface Segmenter {
  /** The execution provider that really runs the graph (reported at start, see docs/segmentation.md#coreml-on-macos). */
  readonly provider: 'cpu' | 'coreml';
  /** A line for the start-up report, e.g. "selfie-landscape 144x256 on cpu". */
  readonly description: string;
  /**
   * The person mask for `image` (8-bit BGR): CV_8UC1, same size as the image, 255 = person, with a soft
   * edge. In video mode the segmenter keeps state between calls to smooth the mask over time.
   *
   * `meanwhile` is the caller's own work on the frame: a segmenter whose last part runs on another thread calls it
   * once while that part runs, so the two overlap (an exception from it rejects the call); others may not call it.
   */
  segment(image: FrameImage, meanwhile?: () => void): Promise<Mat>;
  /** Forget temporal state (a new scene or a camera change). */
  reset(): void;
  close(): Promise<void>;
}
