import type { CameraEvent } from '../capture/camera-source.js';
import { createFrameSource } from '../capture/create-frame-source.js';
import type { FrameSource } from '../capture/frame-source.js';
import { Compositor } from '../composite/compositor.js';
import type { Effect } from '../composite/effect.js';
import { loadEffect } from '../composite/load-effect.js';
import { renderSlate } from '../composite/slate.js';
import { createSegmenter } from '../segment/create-segmenter.js';
import type { Device, Segmenter } from '../segment/segmenter.js';
import { keepFrameMemoryInProcess, leaveACoreForTheGridThread } from '../opencv.js';
import { createSink } from '../output/create-sink.js';
import type { FrameSink } from '../output/frame-sink.js';
import type { ObsOutputOptions } from '../output/obs-output.js';
import { Pipeline } from './pipeline.js';

/** The options `start` and `bench` share, checked and typed at the edge (src/config.ts): trusted here. */
export interface PipelineArgs {
  input: string;
  camera: number;
  size: { width: number; height: number };
  fps: number;
  effect: 'blur' | 'replace' | 'none';
  'blur-strength': number;
  background?: string;
  output: string;
  model: string;
  device: Device;
  /** Unset: the video mode's own default. */
  threshold?: number;
  softness: number;
  /** Replace an existing --output file. */
  force?: boolean;
}

export interface OpenPipelineOptions {
  /**
   * 'live' paces files and the demo like a camera (`start`); 'bench' reads them as fast as the pipeline goes, one
   * frame at a time, to measure each frame's own path.
   */
  mode: 'live' | 'bench';
  maxFrames?: number;
  warmupFrames?: number;
  onCameraEvent?: (event: CameraEvent) => void;
  /** For `--output obs` (`start` gives them). */
  obs?: ObsOutputOptions;
  /**
   * The effect will change while running (it follows the live OBS scene): the model is loaded even when the first
   * effect needs no mask, and the pipeline can show the "be right back" slate.
   */
  effectChanges?: boolean;
}

export interface OpenedPipeline {
  pipeline: Pipeline;
  source: FrameSource;
  /** Absent for the 'none' effect, which needs no mask. */
  segmenter?: Segmenter;
  sink: FrameSink;
  compositor: Compositor;
  effect: Effect;
  /** What was asked for; the source says what it really gives. */
  requested: { width: number; height: number; fps: number };
}

/**
 * Opens the parts in order (source first: the camera must give a frame; then the model; then the output), so a
 * failure shows before anything runs. Parts already opened are closed if a later one fails.
 */
export async function openPipeline(args: PipelineArgs, options: OpenPipelineOptions): Promise<OpenedPipeline> {
  // Process-wide settings for a process that handles frames every few milliseconds (opencv.ts says why).
  keepFrameMemoryInProcess();
  leaveACoreForTheGridThread();
  const { width, height } = args.size;
  const { fps } = args;
  const effect = loadEffect({ effect: args.effect, blurStrength: args['blur-strength'], background: args.background });
  const compositor = new Compositor(effect);

  const source = await createFrameSource({
    input: args.input,
    camera: args.camera,
    width,
    height,
    fps,
    paced: options.mode === 'live',
    onCameraEvent: options.onCameraEvent,
  });
  let segmenter: Segmenter | undefined;
  try {
    if (compositor.needsMask || options.effectChanges) {
      segmenter = await createSegmenter({
        model: args.model,
        device: args.device,
        threshold: args.threshold,
        softness: args.softness,
        mode: 'video',
        frameSize: { width: source.width, height: source.height },
      });
    }
    const inputs = [args.input, args.background].filter((path): path is string => path !== undefined && path !== 'camera' && path !== 'demo');
    const sink = await createSink(args.output, {
      width: source.width,
      height: source.height,
      fps: source.fps,
      obs: options.obs,
      force: args.force,
      inputs,
    });
    const pipeline = new Pipeline(
      { source, segmenter, compositor, sink, slate: options.effectChanges ? renderSlate : undefined },
      {
        // A camera is live in any mode: it must never wait. A file or the demo written to a file keeps every frame,
        // in order, however slow the machine: the next frame is read once the last has been written.
        lockstep: args.input !== 'camera' && (options.mode === 'bench' || (args.output !== 'obs' && args.output !== 'null')),
        maxFrames: options.maxFrames,
        warmupFrames: options.warmupFrames,
      },
    );
    return { pipeline, source, segmenter, sink, compositor, effect, requested: { width, height, fps } };
  } catch (error) {
    await segmenter?.close();
    await source.close();
    throw error;
  }
}
