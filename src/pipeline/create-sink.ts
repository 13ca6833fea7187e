import { BlurcamError } from '../errors.js';
import type { FrameSink } from './frame-sink.js';
import { NullSink } from './null-sink.js';
import { VideoFileSink } from './video-file-sink.js';

export interface SinkOptions {
  /** The frames' size and rate (a video file needs them up front). */
  width: number;
  height: number;
  fps: number;
}

/**
 * The one place `--output` turns into a FrameSink: 'null', a video file path, and 'obs' (the ZeroMQ sender to our
 * OBS plugin, src/transport/, wired in here).
 */
export async function createSink(output: string, options: SinkOptions): Promise<FrameSink> {
  if (output === 'null') return new NullSink();
  if (output === 'obs') {
    throw new BlurcamError(
      'BAD_OPTION',
      "--output obs is not available in this build yet (the OBS output is not wired in).",
      'Use --output null, or --output <file>.mp4 to write a video file.',
    );
  }
  return VideoFileSink.open(output, options);
}
