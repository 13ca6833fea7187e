/**
 * The segmentation engine behind the Segmenter interface, in two modes:
 * - 'photo': many views of the picture through the model, merged (photo-views.ts). Tens of inferences per
 *   photo; what `blurcam segment` uses.
 * - 'video': one view a frame through the model, fused with the views of the frames before, the background learned
 *   and the result smoothed over time, all on the model's grid (live-grid.ts, on a thread of its own after the
 *   inference), then enlarged to the frame with a soft edge. A few milliseconds at 1280x720; what the live pipeline
 *   uses.
 */
import type { FrameImage } from '../frame-image.js';
import { bufferOver, cv, type Mat, type Track, withScratch, withScratchAsync } from '../opencv.js';
import type { TileRect } from './detail-tiles.js';
import { GridThread } from './grid-thread.js';
import { detailTiles, type GridFrame, LiveGrid, type VideoViews, wholeViews } from './live-grid.js';
import { DEFAULT_MODELS_DIR, resolveModelFile } from './model-files.js';
import { OnnxModel, type Provider } from './onnx-session.js';
import { mergeNearBoundary, personBox, TILE_FEATHER, tileViews, ViewAccumulator, wholePhotoViews, zoomViews } from './photo-views.js';
import { enlargedSoftMask, softMask } from './postprocess/soft-mask.js';
import { placeView, regionToOutput, type Size, type View } from './preprocess.js';
import type { Device, Segmenter } from './segmenter.js';
import { type FramePlan, FrameSchedule, ViewRunner } from './video-views.js';

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
   * Video mode: 'cycle' (the default) runs one view per frame (the whole frame, mirrored, and detail tiles in turn),
   * fuses them over time and learns the background (video-views.ts, view-fusion.ts, detail-tiles.ts,
   * background-model.ts); 'whole' leaves out the tiles; 'one' runs the whole frame alone, the live path before
   * those. The last two are kept for comparison in `npm run bench:quality`.
   */
  videoViews?: VideoViews;
  /**
   * Video mode: run the work on the model's grid after the inference on a thread of its own (grid-thread.ts), so
   * the caller can prepare the frame meanwhile. Default true; the same masks either way.
   */
  ownThread?: boolean;
}

/** How long the last `segment` call took. */
export interface SegmentTimings {
  totalMs: number;
  /** Time inside the model's `run`, summed over the inferences. */
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
  const thread =
    options.ownThread === false
      ? undefined
      : await GridThread.start({
          grid: model.output,
          views,
          threshold: settings.threshold,
          maxViews: wholeViews(views).length + detailTiles(views, model.output).length,
        });
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
   * The frame as the grid work needs it (live-grid.ts), in memory the grid thread shares, with an OpenCV matrix
   * over the colours on the grid, which the frame is copied into; and the model's input pictures (the whole frame,
   * a tile) with matrices over them. The whole frame's may be the colours' own plane (see the constructor).
   */
  private readonly planes: { frame: GridFrame; colours: Mat; whole: Uint8Array; wholeMat: Mat; tile: Uint8Array; tileMat: Mat };
  /** Which views each frame runs; decided here, where the frame (or a tile of it) is put at the model's input. */
  private readonly schedule: FrameSchedule;
  /** Runs the model on a frame's views and lays their probabilities on the grid, into `planes.frame.views`. */
  private readonly viewRunner: ViewRunner;
  /** The detail tiles' places on the grid (detail-tiles.ts); empty without tiles. */
  private readonly tileRects: TileRect[];
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
    const cycle = wholeViews(videoViews);
    this.tileRects = detailTiles(videoViews, output);
    this.schedule = new FrameSchedule(cycle.length, this.tileRects.length);
    this.viewRunner = new ViewRunner(input, output, cycle, this.tileRects.length);
    const gridPixels = output.width * output.height;
    const frame = thread?.planes ?? {
      views: new Float32Array((cycle.length + this.tileRects.length) * gridPixels),
      colours: new Uint8Array(gridPixels * 3),
    };
    // These Mat constructors wrap the memory without copying; the planes live as long as the segmenter.
    const inputMat = (bytes: Uint8Array) => new cv.Mat(input.height, input.width, cv.CV_8UC3, bufferOver(bytes));
    const colours = new cv.Mat(output.height, output.width, cv.CV_8UC3, bufferOver(frame.colours));
    // A grid the size of the model's input (the bundled models') takes the same picture as the model's whole-frame
    // view: one plane serves as both, filled once a frame.
    const gridIsInput = output.width === input.width && output.height === input.height;
    const whole = gridIsInput ? frame.colours : new Uint8Array(input.width * input.height * 3);
    const tile = new Uint8Array(input.width * input.height * 3);
    this.planes = {
      frame,
      colours,
      whole,
      wholeMat: gridIsInput ? colours : inputMat(whole),
      tile,
      tileMat: inputMat(tile),
    };
  }

  async segment(image: FrameImage, meanwhile?: () => void): Promise<Mat> {
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
      track(reduced.resize(input.height, input.width, 0, 0, cv.INTER_LINEAR)).copyTo(this.planes.wholeMat);
      // The grid the fusion, the background model and the smoother work on: the model's output, covering the frame
      // (already filled when it is the whole-frame input's plane).
      if (this.planes.colours !== this.planes.wholeMat) {
        track(reduced.resize(output.height, output.width, 0, 0, cv.INTER_AREA)).copyTo(this.planes.colours);
      }

      const prob = await this.gridWork(this.schedule.take(), reduced, timings, meanwhile);
      // Wraps the probabilities without copying; used only before the next frame.
      const probMat = track(new cv.Mat(output.height, output.width, cv.CV_32FC1, bufferOver(prob)));
      return enlargedSoftMask(probMat, frame.cols, frame.rows, threshold, softness, VIDEO_GROW_PX);
    });
    timings.totalMs = performance.now() - start;
    this.lastTimings = timings;
    return mask;
  }

  /** Whether the grid work runs on a thread of its own. */
  get threaded(): boolean {
    return this.thread !== undefined;
  }

  /**
   * Runs the model on what `plan` looks at (here: the model's session is this thread's), then the grid work: on the
   * grid thread when there is one, with `meanwhile` run here as it works; else here. A thread that fails leaves the
   * work to this thread from then on, starting over with every view.
   */
  private async gridWork(plan: FramePlan, reduced: Mat, timings: SegmentTimings, meanwhile: (() => void) | undefined): Promise<Float32Array> {
    await this.runViews(plan, reduced, timings);
    const thread = this.thread;
    if (thread) {
      const asked = thread.frame(plan);
      try {
        meanwhile?.();
      } catch (error) {
        if (asked) await thread.answer().catch(() => undefined);
        throw error;
      }
      if (asked && (await thread.answer().then(() => true, () => false))) return thread.prob;
      void thread.close();
      this.thread = undefined;
      this.schedule.restart();
      plan = this.schedule.take();
      await this.runViews(plan, reduced, timings);
    }
    this.local ??= new LiveGrid(this.model.output, this.videoViews, this.settings.threshold);
    return this.local.frame(this.planes.frame, plan);
  }

  /** Runs the model on the views `plan` looks at (the whole frame is in `planes.whole`), into the frame's views. */
  private async runViews(plan: FramePlan, reduced: Mat, timings: SegmentTimings): Promise<void> {
    const tileInput = (index: number) => {
      withScratch((track) => track(this.tileInput(reduced, this.tileRects[index], track)).copyTo(this.planes.tileMat));
      return this.planes.tile;
    };
    await this.viewRunner.run(plan, this.planes.whole, tileInput, (bgr) => this.infer(bgr, timings), this.planes.frame.views);
  }

  /** The part of the frame (`reduced`, any size) under a tile's rect on the grid, at the model's input size. */
  private tileInput(reduced: Mat, rect: TileRect, track: Track): Mat {
    const { input, output } = this.model;
    const scaleX = reduced.cols / output.width;
    const scaleY = reduced.rows / output.height;
    const x = Math.round(rect.x * scaleX);
    const y = Math.round(rect.y * scaleY);
    const width = Math.min(reduced.cols - x, Math.round(rect.width * scaleX));
    const height = Math.min(reduced.rows - y, Math.round(rect.height * scaleY));
    // Bilinear, as for the whole frame: `reduced` is already averaged down, and a tile is at most 2.5 times the input.
    return track(reduced.getRegion(new cv.Rect(x, y, width, height))).resize(input.height, input.width, 0, 0, cv.INTER_LINEAR);
  }

  override reset(): void {
    // The next frame runs every view, which starts the grid work over wherever it runs.
    this.schedule.restart();
  }

  override async close(): Promise<void> {
    await this.thread?.close();
    this.thread = undefined;
    await super.close();
  }
}
