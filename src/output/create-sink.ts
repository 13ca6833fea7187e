import { BlurcamError } from '../errors.js';
import type { FrameSink } from './frame-sink.js';
import { NullSink } from './null-sink.js';
import { ObsOutput, type ObsOutputOptions } from './obs-output.js';
import { VideoFileSink } from './video-file-sink.js';

export interface SinkOptions {
  /** The frames' size and rate (a video file needs them up front). */
  width: number;
  height: number;
  fps: number;
  /** For a video file: --force, and the files the run reads (never written over). */
  force?: boolean;
  inputs?: readonly string[];
  /** What 'obs' needs: OBS's address and password, the scene, the endpoint (`blurcam start` gives them). */
  obs?: ObsOutputOptions;
}

/**
 * The one place `--output` turns into a FrameSink: 'null', a video file path, and 'obs' (frames to our OBS plugin
 * over ZeroMQ, with OBS set up over obs-websocket: ObsOutput).
 */
export async function createSink(output: string, options: SinkOptions): Promise<FrameSink> {
  if (output === 'null') return new NullSink();
  if (output === 'obs') {
    if (!options.obs) {
      throw new BlurcamError(
        'BAD_OPTION',
        '--output obs works with "blurcam start" only (this command has no OBS options).',
        'Use --output null, or --output <file>.mp4 to write a video file.',
      );
    }
    return ObsOutput.open({ ...options.obs, camera: { width: options.width, height: options.height, fps: options.fps } });
  }
  return VideoFileSink.open(output, options);
}
