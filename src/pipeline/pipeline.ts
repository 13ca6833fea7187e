import type { FrameSource, VideoFrame } from '../capture/frame-source.js';
import type { FrameImage } from '../frame-image.js';
import type { Mat } from '../opencv.js';
import type { Segmenter } from '../segment/segmenter.js';
import type { FrameSink, OutputFrame } from '../output/frame-sink.js';
import { LatestSlot } from './latest-slot.js';
import { PipelineStats } from './pipeline-stats.js';

/** The composite stage as the pipeline sees it (src/composite/compositor.ts). */
export interface CompositeStage {
  /** Whether the effect in force needs a person mask; it may change between frames (the effect follows the scene). */
  readonly needsMask: boolean;
  composite(frame: FrameImage, mask?: Mat): Buffer;
  /**
   * Does what compositing `frame` can do before its mask exists. Called while the frame is being segmented (when
   * the segmenter says its last part runs on a thread of its own), so that work costs the frame no time.
   */
  prepare?(frame: FrameImage): void;
  /** Takes back an output buffer once the sink is done with it (or the frame was dropped), for a later frame. */
  recycle?(output: Buffer): void;
}

export interface PipelineParts {
  source: FrameSource;
  /** Needed when the compositor needs a mask. */
  segmenter?: Segmenter;
  compositor: CompositeStage;
  sink: FrameSink;
  /** What 'slate' mode sends; needed for setMode('slate'). */
  slate?: SlateRenderer;
}

const DEFAULT_RELEASE_AFTER_MS = 10_000;
const DEFAULT_SLATE_FPS = 5;

export interface PipelineOptions {
  /** Stop once this many frames have reached the sink (after the warm-up). */
  maxFrames?: number;
  /** Frames to let through before measuring: the statistics restart once they have reached the sink. */
  warmupFrames?: number;
  /**
   * Read the next frame only once the previous one has left the pipeline. For the benchmark, which feeds a file as
   * fast as the pipeline goes and measures each frame's own path, without the next frame competing for the CPU, and
   * for a file or the demo written to a file, which must keep every frame. A camera never runs in lockstep: it must
   * never wait.
   */
  lockstep?: boolean;
  stats?: PipelineStats;
  /** How long the camera stays open once the pipeline is paused or shows the slate, so a quick switch back is instant. */
  releaseAfterMs?: number;
  /** The slate's frame rate: often enough that OBS never takes blurcam for stopped (it waits a second). */
  slateFps?: number;
}

/**
 * What the pipeline does with the camera:
 * - 'live': frames flow from the camera through the effect to the sink;
 * - 'paused': nothing is read, segmented or sent (no live scene shows blurcam);
 * - 'slate': nothing is read, and only the slate (pixels that never came from the camera) is sent ("be right back").
 * Outside 'live' the camera is released after `releaseAfterMs`, so its light goes off.
 */
export type PipelineMode = 'live' | 'paused' | 'slate';

/** A copy of one frame as it left the composite stage, for the status page. */
export interface PipelineSnapshot {
  width: number;
  height: number;
  /** BGRA, width * height * 4 bytes. */
  output: Buffer;
  /** The person mask, one byte a pixel (255 = person); absent when the effect needed none, and for the slate. */
  mask?: Buffer;
}

/** Renders the slate as BGRA, width * height * 4 bytes, from nothing but constants. */
export type SlateRenderer = (width: number, height: number) => Buffer;

interface Segmented {
  frame: VideoFrame;
  mask?: Mat;
}

/**
 * The live path: capture → segment → composite → output, four loops joined by latest-value slots. Each stage
 * works on the newest frame it can get; a frame that waits while a newer one arrives is dropped and counted, so a
 * slow stage costs frames, never latency, and the camera is never made to wait. OpenCV reads the camera (or decodes
 * the file) on libuv's threads, so capture overlaps the other stages. Segmenting and compositing share this thread
 * and take turns, except that the live segmenter runs its grid work on a thread of its own: while it does, the
 * compositor prepares the frame (its blurred background), so that work costs the frame no time.
 *
 * `run()` resolves after an ordered shutdown (`stop()`, `maxFrames`, or a failure, with which it then rejects):
 * the source stops first, frames already captured finish their way out, then the segmenter and the sink close.
 */
export class Pipeline {
  readonly stats: PipelineStats;
  private readonly toSegment: LatestSlot<VideoFrame>;
  private readonly toComposite: LatestSlot<Segmented>;
  private readonly toOutput: LatestSlot<OutputFrame>;
  /** Wakes whatever the capture loop is waiting for when a stop is asked for. */
  private wakeOnStop: (() => void) | undefined;
  private stopping = false;
  private failure: { error: unknown } | undefined;
  private running = false;
  private framesOut = 0;
  /** Frames between capture and the end of the pipeline, and who waits for none (lockstep). */
  private inFlight = 0;
  private idleWaiter: (() => void) | undefined;
  private currentMode: PipelineMode = 'live';
  /** Wakes the capture loop when the pipeline goes live again. */
  private wakeOnLive: (() => void) | undefined;
  private releaseTimer: NodeJS.Timeout | undefined;
  private slateTimer: NodeJS.Timeout | undefined;
  private slateFrame: Buffer | undefined;
  private lastSeq = -1;
  private segmented = 0;
  private snapshotWaiters: Array<(snapshot: PipelineSnapshot | undefined) => void> = [];

  constructor(
    private readonly parts: PipelineParts,
    private readonly options: PipelineOptions = {},
  ) {
    if (parts.compositor.needsMask && !parts.segmenter) throw new Error('Pipeline: this effect needs a segmenter');
    this.stats = options.stats ?? new PipelineStats();
    this.toSegment = new LatestSlot((frame) => this.dropped('segment-busy', frame));
    this.toComposite = new LatestSlot(({ frame, mask }) => {
      mask?.release();
      this.dropped('composite-busy', frame);
    });
    this.toOutput = new LatestSlot((frame) => {
      this.parts.compositor.recycle?.(frame.data);
      this.dropped('output-busy');
    });
  }

  /** Runs until stopped; rejects with the first failure of any stage, after shutting down in order. */
  async run(): Promise<void> {
    if (this.running) throw new Error('Pipeline.run: already running');
    this.running = true;
    const { source, segmenter, sink } = this.parts;
    const capture = this.guard(this.captureLoop()).finally(() => this.toSegment.close());
    const closedSource = capture.then(() => this.guard(source.close()));
    const segment = this.guard(this.segmentLoop()).finally(() => this.toComposite.close());
    const composite = this.guard(this.compositeLoop()).finally(() => this.toOutput.close());
    const output = this.guard(this.outputLoop());
    await Promise.all([capture, closedSource, segment, composite, output]);
    if (segmenter) await this.guard(segmenter.close());
    await this.guard(sink.close());
    if (this.failure) throw this.failure.error;
  }

  /** Asks for an ordered shutdown; `run()` resolves once it is done. */
  stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    this.clearModeTimers();
    for (const waiter of this.snapshotWaiters.splice(0)) waiter(undefined);
    this.wakeOnStop?.();
  }

  /** Frames the model has segmented since the start; it stands still while the pipeline is not live. */
  get segmentedFrames(): number {
    return this.segmented;
  }

  get mode(): PipelineMode {
    return this.currentMode;
  }

  /**
   * A copy of the next frame to leave the composite stage, with its mask; the slate while it is on; undefined while
   * paused or stopping. Costs nothing when nobody asks.
   */
  snapshot(): Promise<PipelineSnapshot | undefined> {
    if (this.currentMode === 'slate') return Promise.resolve(this.slateSnapshot());
    if (this.currentMode === 'paused' || this.stopping) return Promise.resolve(undefined);
    return new Promise((resolve) => this.snapshotWaiters.push(resolve));
  }

  /**
   * Switches between running the camera, pausing, and the slate (see PipelineMode). Leaving 'live' takes effect at
   * once: frames already on their way are let go at the output, whatever stage they are in, so after this call
   * no camera-derived frame reaches the sink until the pipeline is live again.
   */
  setMode(mode: PipelineMode): void {
    if (mode === this.currentMode || this.stopping) return;
    if (mode === 'slate' && !this.parts.slate) throw new Error('Pipeline.setMode: no slate renderer');
    this.currentMode = mode;
    this.clearModeTimers();
    if (mode === 'live') {
      // The mask smoothed over frames from before the pause would lag behind the person for a moment.
      this.parts.segmenter?.reset();
      const wake = this.wakeOnLive;
      this.wakeOnLive = undefined;
      wake?.();
      return;
    }
    if (mode === 'slate') this.startSlate();
    // Snapshots asked for while live get what the pipeline now shows: the slate, or nothing.
    for (const waiter of this.snapshotWaiters.splice(0)) waiter(mode === 'slate' ? this.slateSnapshot() : undefined);
    const { source } = this.parts;
    if (source.release) {
      const releaseAfterMs = this.options.releaseAfterMs ?? DEFAULT_RELEASE_AFTER_MS;
      this.releaseTimer = setTimeout(() => void this.guard(source.release?.() ?? Promise.resolve()), releaseAfterMs);
    }
  }

  private async captureLoop(): Promise<void> {
    const { source } = this.parts;
    while (!this.stopping) {
      if (this.currentMode !== 'live') {
        await this.untilStopped(new Promise<void>((resolve) => (this.wakeOnLive = resolve)));
        continue;
      }
      if (this.options.lockstep && this.inFlight > 0) {
        await this.untilStopped(new Promise<void>((resolve) => (this.idleWaiter = resolve)));
        continue;
      }
      const calledAt = process.hrtime.bigint();
      // A read still pending at shutdown is abandoned; the source's close() ends it.
      const frame = await this.untilStopped(source.read());
      if (!frame) break;
      // A read that was under way when the pipeline left 'live': its frame goes nowhere.
      if (this.currentMode !== 'live') {
        releaseImage(frame);
        continue;
      }
      const readyAt = process.hrtime.bigint();
      // A paced source stamps the moment its frame was due: the wait for it is not capture work.
      const startedAt = frame.captureTimeNs > calledAt ? frame.captureTimeNs : calledAt;
      this.stats.stage('capture', nsToMs(readyAt - startedAt));
      this.stats.frameIn();
      this.inFlight++;
      this.toSegment.put(frame);
    }
  }

  private async segmentLoop(): Promise<void> {
    const { segmenter, compositor } = this.parts;
    for (;;) {
      const frame = await this.toSegment.take();
      if (!frame) return;
      if (this.letGoOutsideLive(frame)) continue;
      let mask: Mat | undefined;
      if (compositor.needsMask && segmenter) {
        const startedAt = performance.now();
        try {
          // The compositor prepares the frame while the segmenter's last part runs on its own thread (the live
          // segmenter's grid work); a segmenter that never says so leaves all of compositing to composite().
          mask = await segmenter.segment(frame.image, () => compositor.prepare?.(frame.image));
        } catch (error) {
          // The run ends with this failure; the frame's memory is freed like any other frame's.
          releaseImage(frame);
          throw error;
        }
        this.stats.stage('segment', performance.now() - startedAt);
        this.segmented++;
      }
      this.toComposite.put({ frame, mask });
    }
  }

  private async compositeLoop(): Promise<void> {
    const { compositor } = this.parts;
    for (;;) {
      const item = await this.toComposite.take();
      if (!item) return;
      const { frame, mask } = item;
      if (this.letGoOutsideLive(frame, mask)) continue;
      // Segmented without a mask just before the effect changed to one that needs it: showing it unmasked would
      // show the very background the new effect hides.
      if (compositor.needsMask && !mask) {
        releaseImage(frame);
        this.frameLeft();
        continue;
      }
      const { width, height } = frame.image;
      const startedAt = performance.now();
      let data: Buffer;
      try {
        data = compositor.composite(frame.image, mask);
        if (this.snapshotWaiters.length > 0) {
          const snapshot = { width, height, output: Buffer.from(data), mask: mask && Buffer.from(mask.getData()) };
          for (const waiter of this.snapshotWaiters.splice(0)) waiter(snapshot);
        }
      } finally {
        releaseImage(frame);
        mask?.release();
      }
      this.stats.stage('composite', performance.now() - startedAt);
      this.toOutput.put({ seq: frame.seq, captureTimeNs: frame.captureTimeNs, width, height, format: 'bgra', stride: width * 4, data });
    }
  }

  private async outputLoop(): Promise<void> {
    const { sink, compositor } = this.parts;
    const { maxFrames, warmupFrames = 0 } = this.options;
    for (;;) {
      const frame = await this.toOutput.take();
      if (!frame) return;
      // Past the frame limit, frames still on their way out are let go: --frames N means N. So are frames made
      // before the pipeline left 'live': after setMode() no camera pixel may leave.
      if ((maxFrames !== undefined && this.framesOut >= warmupFrames + maxFrames) || this.currentMode !== 'live') {
        compositor.recycle?.(frame.data);
        this.frameLeft();
        continue;
      }
      const startedAt = performance.now();
      const accepted = sink.write(frame);
      const doneAt = performance.now();
      // The sink has copied whatever it keeps (FrameSink's contract): the buffer can take a later frame.
      compositor.recycle?.(frame.data);
      this.stats.stage('output', doneAt - startedAt);
      this.lastSeq = frame.seq;
      if (accepted) {
        this.stats.frameOut(nsToMs(process.hrtime.bigint() - frame.captureTimeNs));
        this.framesOut++;
        if (this.framesOut === warmupFrames) this.stats.restart();
        if (maxFrames !== undefined && this.framesOut >= warmupFrames + maxFrames) this.stop();
      } else {
        this.stats.drop('sink-refused');
      }
      this.frameLeft();
    }
  }

  /** A frame still on its way when the pipeline left 'live' is freed here, not segmented or composited for nothing. */
  private letGoOutsideLive(frame: VideoFrame, mask?: Mat): boolean {
    if (this.currentMode === 'live') return false;
    releaseImage(frame);
    mask?.release();
    this.frameLeft();
    return true;
  }

  private slateSnapshot(): PipelineSnapshot | undefined {
    const { width, height } = this.parts.source;
    return this.slateFrame && { width, height, output: this.slateFrame };
  }

  /** Sends the slate now and then at its rate, until the mode changes; numbered on from the last frame sent. */
  private startSlate(): void {
    const { sink, source, slate } = this.parts;
    const { width, height } = source;
    this.slateFrame ??= slate?.(width, height);
    const data = this.slateFrame;
    if (!data) return;
    const send = () => {
      const seq = ++this.lastSeq;
      sink.write({ seq, captureTimeNs: process.hrtime.bigint(), width, height, format: 'bgra', stride: width * 4, data });
    };
    send();
    this.slateTimer = setInterval(send, 1000 / (this.options.slateFps ?? DEFAULT_SLATE_FPS));
  }

  private clearModeTimers(): void {
    clearTimeout(this.releaseTimer);
    clearInterval(this.slateTimer);
    this.releaseTimer = undefined;
    this.slateTimer = undefined;
  }

  /**
   * `work`'s result, or undefined as soon as a stop is asked for. Not a race against one long-lived "stopped"
   * promise: every race would stay attached to it, holding its frame, for the whole run.
   */
  private untilStopped<T>(work: Promise<T>): Promise<T | undefined> {
    if (this.stopping) return Promise.resolve(undefined);
    return new Promise<T | undefined>((resolve, reject) => {
      const wake = () => resolve(undefined);
      this.wakeOnStop = wake;
      void work.then(resolve, reject).finally(() => {
        if (this.wakeOnStop === wake) this.wakeOnStop = undefined;
      });
    });
  }

  private dropped(cause: 'segment-busy' | 'composite-busy' | 'output-busy', frame?: VideoFrame): void {
    if (frame) releaseImage(frame);
    this.stats.drop(cause);
    this.frameLeft();
  }

  private frameLeft(): void {
    this.inFlight--;
    const waiter = this.idleWaiter;
    this.idleWaiter = undefined;
    waiter?.();
  }

  /** Keeps the first failure, asks for shutdown, and lets the other stages drain instead of rejecting at once. */
  private async guard(work: Promise<unknown>): Promise<void> {
    try {
      await work;
    } catch (error) {
      this.failure ??= { error };
      this.stop();
    }
  }
}

/**
 * The pipeline owns each frame's image (FrameSource's contract) and frees it as soon as it is done with it:
 * OpenCV's memory is invisible to V8 (docs/pipeline.md), so waiting for the garbage collector would let it pile up.
 */
function releaseImage(frame: VideoFrame): void {
  frame.image.release();
}

function nsToMs(ns: bigint): number {
  return Number(ns) / 1e6;
}
