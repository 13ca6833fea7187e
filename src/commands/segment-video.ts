import { existsSync, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { BlurcamError, describeError } from '../errors.js';
import { FrameImage } from '../frame-image.js';
import { checkOutputs, writeFileSafely } from '../files/safe-write.js';
import { cv } from '../opencv.js';
import type { BlurcamSegmenter } from '../segment/create-segmenter.js';

/** The frame size a video file declares, for --model auto; undefined when it cannot tell (segmentVideoFile reports why). */
export function videoFrameSize(path: string): { width: number; height: number } | undefined {
  try {
    const capture = new cv.VideoCapture(path, cv.CAP_FFMPEG);
    const size = { width: capture.get(cv.CAP_PROP_FRAME_WIDTH), height: capture.get(cv.CAP_PROP_FRAME_HEIGHT) };
    capture.release();
    return size.width > 0 && size.height > 0 ? size : undefined;
  } catch {
    return undefined;
  }
}

/** What one written mask took. */
export interface VideoMaskTiming {
  index: number;
  totalMs: number;
  modelMs: number;
}

/**
 * Every frame of the video at `path`, in order and none skipped, through `segmenter` (video mode, so the live
 * path's temporal state carries from frame to frame); the mask of frame N is written as OUT/NNNNN.png (8-bit,
 * 255 = person, frame size). Resolves with the number of frames. Masks already in `out` (NNNNN.png) are refused
 * before the first frame unless `force`: how many the video has is known only once it is read.
 */
export async function segmentVideoFile(
  segmenter: BlurcamSegmenter,
  path: string,
  out: string,
  { force }: { force: boolean },
  onFrame?: (timing: VideoMaskTiming) => void,
): Promise<number> {
  const absolute = resolve(path);
  if (!existsSync(absolute) || !statSync(absolute).isFile()) {
    throw new BlurcamError('PATH_NOT_FOUND', `--video ${path}: no such file.`, 'Name a video file (e.g. clip.mp4).');
  }
  const unreadable = (reason: string, cause?: unknown) =>
    new BlurcamError(
      'VIDEO_UNREADABLE',
      `--video ${path} does not play as video: ${reason}.`,
      'Use a video file OpenCV can decode (e.g. H.264 .mp4); check it plays with ffplay or VLC.',
      { cause },
    );
  const earlier = (await readdir(out).catch(() => [])).filter((name) => /^\d{5}\.png$/.test(name)).map((name) => join(out, name));
  await checkOutputs(earlier, { force, inputs: [absolute], option: '--out' });
  let capture: InstanceType<typeof cv.VideoCapture>;
  try {
    capture = new cv.VideoCapture(absolute, cv.CAP_FFMPEG);
  } catch (error) {
    throw unreadable('FFmpeg could not open it', error);
  }
  segmenter.reset();
  let index = 0;
  try {
    for (;;) {
      let frame = await capture.readAsync().catch((error: unknown) => {
        throw unreadable(describeError(error), error);
      });
      if (frame.empty) break;
      if (frame.channels !== 3) frame = frame.cvtColor(frame.channels === 4 ? cv.COLOR_BGRA2BGR : cv.COLOR_GRAY2BGR);
      const image = new FrameImage(frame);
      const mask = await segmenter.segment(image);
      image.release();
      const png = cv.imencode('.png', mask);
      mask.release();
      const target = join(out, `${String(index).padStart(5, '0')}.png`);
      await writeFileSafely(target, png, { force });
      const { totalMs, modelMs } = segmenter.lastTimings;
      onFrame?.({ index, totalMs, modelMs });
      index++;
    }
  } finally {
    capture.release();
  }
  if (index === 0) throw unreadable('no frame could be decoded');
  return index;
}
