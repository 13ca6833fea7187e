/**
 * The segmentation engine behind the Segmenter interface, in two modes:
 * - 'photo': many views of the picture through the model, merged (photo-views.ts). Tens of inferences per
 *   photo; what `blurcam segment` uses.
 * - 'video': one view a frame through the model, fused with the views of the frames before, the background learned
 *   and the result smoothed over time, all on the model's grid (live-grid.ts, on a thread of its own), then enlarged
 *   to the frame with a soft edge. A few milliseconds at 1280x720; what the live pipeline uses.
 */
import type { FrameImage } from '../frame-image.js';
import { cv, type Mat, withScratchAsync } from '../opencv.js';
import { GridThread } from './grid-thread.js';
import { type GridFrame, LiveGrid, type VideoViews } from './live-grid.js';
import { DEFAULT_MODELS_DIR, resolveModelFile } from './model-files.js';
import { OnnxModel, type Provider } from './onnx-session.js';
import { mergeNearBoundary, personBox, TILE_FEATHER, tileViews, ViewAccumulator, wholePhotoViews, zoomViews } from './photo-views.js';
import { enlargedSoftMask, softMask } from './postprocess/soft-mask.js';
import { placeView, regionToOutput, type Size, type View } from './preprocess.js';
import type { Device, Segmenter } from './segmenter.js';

export interface SegmenterOptions {
  /** 'auto', 'selfie', 'selfie-landscape' or a path to an ONNX model (docs/model-contract.md). */
  model?: string;
  device?: Device;
  /** Model score (0..1) at which a pixel counts as person; default DEFAULT_THRESHOLD of the mode. */
  threshold?: number;
  /** Width of the soft edge around the threshold, in model score (0..0.5). */
  softness?: number;
  mode?: 'photo' | 'video';
  /** Video mode: the frame size, so 'auto' picks the model that fits it best (landscape when unknown). */
  frameSize?: Size;
  /**
   * CPU threads per inference. Default: 1 in video mode, where capture and compositing need the other cores
   * and a second thread does not make this small model faster; 2 in photo mode, which runs alone.
   */
  threads?: number;
  modelsDir?: string;
  /**
   * Video mode: 'cycle' (the default) runs one view of a cycle per frame, fuses them over time and learns the
   * background (video-views.ts, view-fusion.ts, background-model.ts); 'one' runs the whole frame alone, the live
   * path before those (kept for comparison in `npm run bench:quality`).
   */
  videoViews?: VideoViews;
  /**
   * Video mode: run the model and the work on its grid on a thread of their own (grid-thread.ts), so the caller
   * can prepare the frame meanwhile. Default true; the same masks either way.
   */
  ownThread?: boolean;
}

/** How long the last `segment` call took. */
export interface SegmentTimings {
  totalMs: number;
  /**
   * Time inside the model's `run`, summed over the inferences; with the grid thread, from handing the frame over to
   * its answer (the model and the grid work after it).
   */
  modelMs: number;
  inferences: number;
}

export interface BlurcamSegmenter extends Segmenter {
  readonly mode: 'photo' | 'video';
  readonly model: OnnxModel;
  readonly lastTimings: SegmentTimings;
}

/** Photos are merged at most at this size (longer side); the mask is then enlarged to the photo's size. */
const PHOTO_WORK_SIDE = 1280;
/**
 * Video frames are averaged down to at most this size (longer side) before the model input and the grid are
 * taken from them: enough pixels to average into the 256-wide grid, and at 720p the very half-size copy the masked
 * blur starts from.
 */
const VIDEO_REDUCE_SIDE = 640;
/**
 * The model score from which a pixel counts as person, per mode, unless --threshold says otherwise; in video mode the
 * mask is then grown by VIDEO_GROW_PX. The live path's probability comes from a grid five frame pixels wide,
 * enlarged: around a head or a shoulder it falls off over several pixels, and at 0.5 the edge sits inside the
 * person. A lower threshold moves the edge out but also takes in flat, half-sure areas beside the person (at 0.35,
 * a strip of the demo's dark poster above her hair); a slightly lower threshold and one pixel of growth put the
 * edge where the eval clips' outlines are without that (docs/segmentation.md, "Threshold"). The photo mode's views
 * at higher resolution have no such bias: there 0.5 scored best.
 */
export const DEFAULT_THRESHOLD = { video: 0.45, photo: 0.5 } as const;
/** Pixels the live mask is grown by after the threshold (see DEFAULT_THRESHOLD). */
const VIDEO_GROW_PX = 1;

export async function createSegmenter(options: SegmenterOptions = {}): Promise<BlurcamSegmenter> {
  const mode = options.mode ?? 'video';
  const settings = { threshold: options.threshold ?? DEFAULT_THRESHOLD[mode], softness: options.softness ?? 0.1 };
  const file = resolveModelFile(options.model ?? 'auto', mode, options.frameSize, options.modelsDir ?? DEFAULT_MODELS_DIR);
  const threads = options.threads ?? (mode === 'video' ? 1 : 2);
  const model = await OnnxModel.open({ path: file.path, device: options.device ?? 'auto', threads, bundled: file.bundled });
  const description = `${file.name} ${model.input.height}x${model.input.width} on ${model.provider} (${model.providerNote}), ${mode} mode`;
  if (mode === 'photo') return new PhotoSegmenter(model, description, settings);
  const views = options.videoViews ?? 'cycle';
  // The grid work on a thread of its own, so the compositor can blur the frame's background meanwhile.
  const thread = options.ownThread === false ? undefined : await GridThread.start({ path: model.path, sessionOptions: model.sessionOptions, contract: model.contract, views });
  return new VideoSegmenter(model, description, settings, views, thread);
}

interface MaskSettings {
  threshold: number;
  softness: number;
}

abstract class EngineSegmenter implements BlurcamSegmenter {
  abstract readonly mode: 'photo' | 'video';
  readonly provider: Provider;
  lastTimings: SegmentTimings = { totalMs: 0, modelMs: 0, inferences: 0 };

  constructor(
    readonly model: OnnxModel,
    readonly description: string,
    protected readonly settings: MaskSettings,
  ) {
    this.provider = model.provider;
  }

  abstract segment(image: FrameImage): Promise<Mat>;

  reset(): void {}

  async close(): Promise<void> {
    await this.model.close();
  }

  /** Runs the model, counting its time into the current call's timings. */
  protected async infer(bgr: Uint8Array, timings: SegmentTimings): Promise<Float32Array> {
    const start = performance.now();
    const prob = await this.model.run(bgr);
    timings.modelMs += performance.now() - start;
    timings.inferences++;
    return prob;
  }
}

class PhotoSegmenter extends EngineSegmenter {
  readonly mode = 'photo';

  async segment(frame: FrameImage): Promise<Mat> {
    const image = frame.mat;
    const start = performance.now();
    const timings: SegmentTimings = { totalMs: 0, modelMs: 0, inferences: 0 };
    const { threshold, softness } = this.settings;
    const workScale = Math.min(1, PHOTO_WORK_SIDE / Math.max(image.cols, image.rows));
    const work = workScale < 1 ? image.resize(Math.round(image.rows * workScale), Math.round(image.cols * workScale), 0, 0, cv.INTER_AREA) : image;
    const size: Size = { width: work.cols, height: work.rows };

    const global = new ViewAccumulator(size);
    for (const view of wholePhotoViews(size)) await this.addView(global, work, view, timings);
    for (const view of zoomViews(personBox(global.mean(), size, threshold))) await this.addView(global, work, view, timings);
    const detailed = new ViewAccumulator(size);
    detailed.addAll(global);
    for (const view of tileViews(size)) await this.addView(detailed, work, view, timings, TILE_FEATHER);
    const modelPixel = Math.max(size.width / this.model.output.width, size.height / this.model.output.height);
    const prob = mergeNearBoundary(global.mean(), detailed.mean(), size, threshold, modelPixel);

    const pixels = Buffer.alloc(size.width * size.height);
    softMask(prob, threshold, softness, pixels);
    let mask = new cv.Mat(pixels, size.height, size.width, cv.CV_8UC1);
    if (work !== image) mask = mask.resize(image.rows, image.cols, 0, 0, cv.INTER_LINEAR);
    timings.totalMs = performance.now() - start;
    this.lastTimings = timings;
    return mask;
  }

  /** Runs one view and adds its probability, mapped back onto the photo, to `into`. */
  private async addView(into: ViewAccumulator, work: Mat, view: View, timings: SegmentTimings, feather = 0): Promise<void> {
    const { input, output } = this.model;
    const placement = placeView(view, input);
    const [x, y, width, height] = view.rect;
    const { content, offsetX, offsetY } = placement;
    const region = work.getRegion(new cv.Rect(x, y, width, height));
    const shrinking = content.width < width || content.height < height;
    let canvas = region.resize(content.height, content.width, 0, 0, shrinking ? cv.INTER_AREA : cv.INTER_LINEAR);
    if (content.width !== input.width || content.height !== input.height) {
      const right = input.width - content.width - offsetX;
      const bottom = input.height - content.height - offsetY;
      canvas = canvas.copyMakeBorder(offsetY, bottom, offsetX, right, cv.BORDER_CONSTANT, new cv.Vec3(0, 0, 0));
    }
    if (view.flip) canvas = canvas.flip(1);
    const prob = await this.infer(canvas.getData(), timings);
    const result = new cv.Mat(Buffer.from(prob.buffer, prob.byteOffset, prob.byteLength), output.height, output.width, cv.CV_32FC1);
    const affine = regionToOutput(placement, input, output);
    const matrix = new cv.Mat([affine.slice(0, 3), affine.slice(3, 6)], cv.CV_64F);
    const back = result.warpAffine(matrix, new cv.Size(width, height), cv.INTER_LINEAR | cv.WARP_INVERSE_MAP, cv.BORDER_REPLICATE);
    const data = back.getData();
    into.add(view.rect, new Float32Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)), feather);
  }
}

class VideoSegmenter extends EngineSegmenter {
  readonly mode = 'video';
  /**
   * The frame as the grid work needs it (live-grid.ts), in memory the grid thread shares, with OpenCV matrices
   * over it that the frame is copied into: the model's input picture, the brightness (0..1) and the colours on the
   * grid.
   */
  private readonly planes: { frame: GridFrame; small: Mat; brightness: Mat; colours: Mat };
  /** The grid work on a thread of its own; undefined when it could not start or failed. */
  private thread: GridThread | undefined;
  /** The grid work on this thread, made when there is no grid thread. */
  private local: LiveGrid | undefined;

  constructor(
    model: OnnxModel,
    description: string,
    settings: MaskSettings,
    private readonly videoViews: VideoViews,
    thread: GridThread | undefined,
  ) {
    super(model, description, settings);
    this.thread = thread;
    const { input, output } = model;
    const frame = thread?.planes ?? {
      small: new Uint8Array(input.width * input.height * 3),
      brightness: new Float32Array(output.width * output.height),
      colours: new Uint8Array(output.width * output.height * 3),
    };
    // These Mat constructors wrap the memory without copying; the planes live as long as the segmenter.
    this.planes = {
      frame,
      small: new cv.Mat(input.height, input.width, cv.CV_8UC3, bufferOver(frame.small)),
      brightness: new cv.Mat(output.height, output.width, cv.CV_32FC1, bufferOver(frame.brightness)),
      colours: new cv.Mat(output.height, output.width, cv.CV_8UC3, bufferOver(frame.colours)),
    };
  }

  async segment(image: FrameImage): Promise<Mat> {
    const frame = image.mat;
    const start = performance.now();
    const timings: SegmentTimings = { totalMs: 0, modelMs: 0, inferences: 0 };
    const { input, output } = this.model;
    const { threshold, softness } = this.settings;
    const mask = await withScratchAsync(async (track) => {
      const scale = Math.min(1, VIDEO_REDUCE_SIDE / Math.max(frame.cols, frame.rows));
      // Half size exactly (720p) is shared with the masked blur, which starts from it too.
      let reduced = frame;
      if (scale === 0.5) reduced = image.halfSize();
      else if (scale < 1) reduced = track(frame.resize(Math.round(frame.rows * scale), Math.round(frame.cols * scale), 0, 0, cv.INTER_AREA));
      // Bilinear from the already averaged reduced frame: as good as INTER_AREA on the eval photos, 8x faster.
      const small = track(reduced.resize(input.height, input.width, 0, 0, cv.INTER_LINEAR));
      small.copyTo(this.planes.small);
      // The grid the fusion, the background model and the smoother work on: the model's output, covering the frame.
      const sameSize = output.width === input.width && output.height === input.height;
      const colours = sameSize ? small : track(reduced.resize(output.height, output.width, 0, 0, cv.INTER_AREA));
      colours.copyTo(this.planes.colours);
      track(track(colours.cvtColor(cv.COLOR_BGR2GRAY)).convertTo(cv.CV_32F, 1 / 255)).copyTo(this.planes.brightness);

      const prob = await this.gridWork(timings);
      // Wraps the probabilities without copying; used only before the next frame.
      const probMat = track(new cv.Mat(output.height, output.width, cv.CV_32FC1, bufferOver(prob)));
      return enlargedSoftMask(probMat, frame.cols, frame.rows, threshold, softness, VIDEO_GROW_PX);
    });
    timings.totalMs = performance.now() - start;
    this.lastTimings = timings;
    return mask;
  }

  /** Whether the model and the grid work run on a thread of their own. */
  get threaded(): boolean {
    return this.thread !== undefined;
  }

  /**
   * The grid work on the planes (live-grid.ts): on the grid thread when there is one (asked for before this
   * returns, so the caller's next work overlaps with it), else here. A thread that fails leaves the work to this
   * thread from then on, starting over.
   */
  private async gridWork(timings: SegmentTimings): Promise<Float32Array> {
    if (this.thread) {
      const start = performance.now();
      try {
        timings.inferences += await this.thread.frame();
        timings.modelMs += performance.now() - start;
        return this.thread.prob;
      } catch {
        void this.thread.close();
        this.thread = undefined;
      }
    }
    this.local ??= new LiveGrid(this.model.input, this.model.output, this.videoViews);
    const { prob } = await this.local.frame(this.planes.frame, (bgr) => this.infer(bgr, timings));
    return prob;
  }

  override reset(): void {
    this.thread?.reset();
    this.local?.reset();
  }

  override async close(): Promise<void> {
    await this.thread?.close();
    this.thread = undefined;
    await super.close();
  }
}

/** A Buffer over a typed array's memory (shared or not), for an OpenCV matrix to wrap. */
function bufferOver(values: Uint8Array | Float32Array): Buffer {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength);
}
