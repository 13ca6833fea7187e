import { CameraSource, type CameraEvent } from './camera-source.js';
import { DemoSource } from './demo-source.js';
import type { FrameSource } from './frame-source.js';
import { VideoFileSource } from './video-file-source.js';

export interface FrameSourceOptions {
  /** 'camera', 'demo', or a video file path. */
  input: string;
  /** Camera index (input 'camera'). */
  camera: number;
  /** Requested size and rate (camera, demo; a file has its own). */
  width: number;
  height: number;
  fps: number;
  /** Files and the demo: release frames at their rate like a camera, or as fast as they are read. */
  paced: boolean;
  onCameraEvent?: (event: CameraEvent) => void;
}

/** `--input` as a FrameSource, opened and proven to give a first frame. */
export async function createFrameSource(options: FrameSourceOptions): Promise<FrameSource> {
  const { input, width, height, fps, paced } = options;
  if (input === 'camera') return CameraSource.open({ index: options.camera, width, height, fps, onEvent: options.onCameraEvent });
  if (input === 'demo') return DemoSource.create({ width, height, fps, paced });
  return VideoFileSource.open(input, { paced });
}
