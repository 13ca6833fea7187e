import { fileURLToPath } from 'node:url';
import { DemoScene } from '../capture/demo-scene.js';
import { openVideoWriter } from '../output/video-file-sink.js';

export interface ClipOptions {
  width?: number;
  height?: number;
  fps?: number;
  seconds?: number;
}

/**
 * Writes the demo scene (a person swaying in a room) as a video file: the benchmark's input and the tests' camera
 * recording. MPEG-4 Part 2 ('mp4v') because it decodes in about a millisecond, so reading the clip costs what
 * reading a camera costs, not more. Generated when needed, never committed.
 */
export function makeClip(path: string, { width = 1280, height = 720, fps = 30, seconds = 10 }: ClipOptions = {}): string {
  const scene = DemoScene.create(width, height);
  const { writer, path: written } = openVideoWriter(path, { width, height, fps }, ['mp4v']);
  const frames = Math.round(seconds * fps);
  try {
    for (let i = 0; i < frames; i++) writer.write(scene.render(i / fps).image);
  } finally {
    writer.release();
  }
  return written;
}

// `node dist/bench/make-clip.js [OUT.mp4] [SECONDS]` prints the path it wrote.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [path = 'demo-clip.mp4', seconds] = process.argv.slice(2);
  console.log(makeClip(path, { seconds: seconds ? Number(seconds) : undefined }));
}
