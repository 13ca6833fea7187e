import type { CameraEvent } from '../capture/camera-source.js';
import { createFrameSource } from '../capture/create-frame-source.js';
import type { FrameSource } from '../capture/frame-source.js';
import { Compositor } from '../composite/compositor.js';
import type { Effect } from '../composite/effect.js';
import { loadEffect } from '../composite/load-effect.js';
import { checkRange, parseSize } from '../config.js';
import { BlurcamError } from '../errors.js';
import { createSegmenter } from '../segment/create-segmenter.js';
import type { Device, Segmenter } from '../segment/segmenter.js';
import { createSink } from './create-sink.js';
import type { FrameSink } from './frame-sink.js';
import type { ObsOutputOptions } from './obs-output.js';
import { Pipeline } from './pipeline.js';

/** The options `start` and `bench` share, as yargs gives them (names from src/config.ts). */
export interface PipelineArgs {
  input: string;
  camera: number;
  size: string;
  fps: number;
  effect: string;
  'blur-strength': number;
  background?: string;
  output: string;
  model: string;
  device: string;
  threshold: number;
  softness: number;
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
}

export interface OpenedPipeline {
  pipeline: Pipeline;
  source: FrameSource;
  /** Absent for the 'none' effect, which needs no mask. */
  segmenter?: Segmenter;
  sink: FrameSink;
  effect: Effect;
  /** What was asked for; the source says what it really gives. */
  requested: { width: number; height: number; fps: number };
}

/**
 * Checks every option, then opens the parts in order (source first: the camera must give a frame; then the model;
 * then the output), so a failure shows before anything runs. Parts already opened are closed if a later one fails.
 */
export async function openPipeline(args: PipelineArgs, options: OpenPipelineOptions): Promise<OpenedPipeline> {
  const { width, height } = parseSize(args.size);
  const fps = checkRange('fps', args.fps, 1, 120);
  if (!Number.isInteger(args.camera) || args.camera < 0) {
    throw new BlurcamError('BAD_OPTION', `--camera ${args.camera} is not a camera index.`, 'Use 0, 1, 2... ("blurcam devices" lists them).');
  }
  if (options.maxFrames !== undefined && (!Number.isInteger(options.maxFrames) || options.maxFrames < 1)) {
    throw new BlurcamError('BAD_OPTION', `--frames ${options.maxFrames} is not a frame count.`, 'Use a whole number of at least 1.');
  }
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
    if (compositor.needsMask) {
      segmenter = await createSegmenter({
        model: args.model,
        device: args.device as Device,
        threshold: args.threshold,
        softness: args.softness,
        mode: 'video',
        frameSize: { width: source.width, height: source.height },
      });
    }
    const sink = await createSink(args.output, { width: source.width, height: source.height, fps: source.fps, obs: options.obs });
    const pipeline = new Pipeline(
      { source, segmenter, compositor, sink },
      {
        // A camera is live in any mode: it must never wait. A file or the demo written to a file keeps every frame,
        // in order, however slow the machine: the next frame is read once the last has been written.
        lockstep: args.input !== 'camera' && (options.mode === 'bench' || (args.output !== 'obs' && args.output !== 'null')),
        maxFrames: options.maxFrames,
        warmupFrames: options.warmupFrames,
      },
    );
    return { pipeline, source, segmenter, sink, effect, requested: { width, height, fps } };
  } catch (error) {
    await segmenter?.close();
    await source.close();
    throw error;
  }
}
