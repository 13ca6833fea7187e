/**
 * `npm run bench:quality`: mask quality on the eval-dev photos and on camera-like clips made from them (never
 * copied into the repo: --eval-dev and --clips point at them), scored by the sets' own score.py and
 * score_video.py, for five ways side by side:
 * - plain: the whole picture resized to 256x256, the square model, bilinear upscaling, threshold 0.5;
 * - live path, one view: the live pipeline as it was before the view fusion (one inference on the whole frame,
 *   temporal smoothing, guided refinement);
 * - live path without the detail tiles: the whole frame and its mirror image in turn, fused over time, the
 *   background model, the specks taken out;
 * - live path: what `blurcam start` does now (the same with the detail tiles taking turns with the whole frame); on a
 *   photo it sees the photo as a still camera would, for a few frames (the first runs every view);
 * - blurcam segment: the photo mode with its default options, on each photo and on each clip frame alone.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { segmentVideoFile, videoFrameSize } from '../commands/segment-video.js';
import { FrameImage } from '../frame-image.js';
import { cv, type Mat } from '../opencv.js';
import { createSegmenter, type BlurcamSegmenter } from '../segment/create-segmenter.js';
import { BUNDLED_MODELS, DEFAULT_MODELS_DIR, resolveModelFile } from '../segment/model-files.js';
import { OnnxModel } from '../segment/onnx-session.js';
import { runCommand } from './run-command.js';
import type { VideoViews } from '../segment/live-grid.js';
import type { Size } from '../segment/preprocess.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const SHARED = resolve(REPO, '..', 'shared');
const PYTHON = '/usr/bin/python3';
/** Frames a photo is shown to the live path for, as a still camera (the first runs every view). */
const STILL_FRAMES = 8;

interface Score {
  count: number;
  mean_iou: number;
  median_iou: number;
  mean_bf1: number;
  worst: { name: string; iou: number; bf1: number }[];
}

interface ClipScore {
  clips: number;
  frames: number;
  missing: number;
  mean_iou: number;
  mean_bf1: number;
  mean_flicker_pct: number;
}

interface MethodResult {
  method: string;
  photos: Score;
  clips?: ClipScore;
}

type Method = 'plain' | 'live-one' | 'live-whole' | 'live' | 'segment';
const METHODS: { method: Method; label: string }[] = [
  { method: 'plain', label: 'plain (256x256, bilinear, 0.5)' },
  { method: 'live-one', label: 'live path before (one view a frame)' },
  { method: 'live-whole', label: 'live path without the detail tiles' },
  { method: 'live', label: 'live path (views and tiles fused over frames)' },
  { method: 'segment', label: 'blurcam segment (photo mode)' },
];


async function score(evalDev: string, predictions: string): Promise<Score> {
  const args = [join(evalDev, 'score.py'), '--gt', join(evalDev, 'masks'), '--pred', predictions, '--resize-pred', '--json'];
  const result = await runCommand(PYTHON, args);
  if (result.code !== 0) throw new Error(`score.py failed (${result.code}): ${result.stderr.trim()}`);
  return JSON.parse(result.stdout) as Score;
}

async function scoreClips(clips: string, predictions: string): Promise<ClipScore> {
  const result = await runCommand(PYTHON, [join(SHARED, 'eval-video', 'score_video.py'), '--truth', clips, '--pred', predictions, '--json']);
  if (result.code !== 0) throw new Error(`score_video.py failed (${result.code}): ${result.stderr.trim()}`);
  return JSON.parse(result.stdout) as ClipScore;
}

/** Makes the clips from eval-dev with the set's make_videos.py when the folder does not hold them yet. */
async function ensureClips(evalDev: string, clips: string): Promise<void> {
  if (existsSync(clips) && (await readdir(clips)).length > 0) return;
  const script = join(SHARED, 'eval-video', 'make_videos.py');
  const result = await runCommand(PYTHON, [script, '--images', join(evalDev, 'images'), '--masks', join(evalDev, 'masks'), '--out', clips]);
  if (result.code !== 0) throw new Error(`make_videos.py failed (${result.code}): ${result.stderr.trim()}`);
}

async function photos(evalDev: string): Promise<string[]> {
  return (await readdir(join(evalDev, 'images'))).filter((name) => /\.(jpe?g|png)$/i.test(name)).sort();
}

/** Every frame of a clip, in order. */
async function* clipFrames(path: string): AsyncGenerator<Mat> {
  const capture = new cv.VideoCapture(path, cv.CAP_FFMPEG);
  try {
    for (let frame = await capture.readAsync(); !frame.empty; frame = await capture.readAsync()) yield frame;
  } finally {
    capture.release();
  }
}

/** A video-mode segmenter per model, shared by the pictures that model fits (as `start` would choose it). */
class LiveSegmenters {
  private readonly byModel = new Map<string, BlurcamSegmenter>();

  constructor(private readonly videoViews: VideoViews) {}

  async for(frameSize: Size): Promise<BlurcamSegmenter> {
    const model = resolveModelFile('auto', 'video', frameSize).name;
    let segmenter = this.byModel.get(model);
    if (segmenter === undefined) {
      segmenter = await createSegmenter({ mode: 'video', device: 'cpu', frameSize, videoViews: this.videoViews });
      this.byModel.set(model, segmenter);
    }
    segmenter.reset();
    return segmenter;
  }

  async close(): Promise<void> {
    await Promise.all([...this.byModel.values()].map((segmenter) => segmenter.close()));
  }
}

/** One way of making masks, for photos (one mask each) and for clips (a mask per frame, in order). */
interface MaskMaker {
  photo(image: Mat): Promise<Mat>;
  clip(path: string, out: string): Promise<void>;
  close(): Promise<void>;
}

async function maskMaker(method: Method): Promise<MaskMaker> {
  switch (method) {
    case 'plain': {
      const model = await OnnxModel.open({ path: join(DEFAULT_MODELS_DIR, BUNDLED_MODELS.selfie.file), device: 'cpu', bundled: true });
      const plain = async (image: Mat): Promise<Mat> => {
        const input = image.resize(model.input.height, model.input.width, 0, 0, cv.INTER_LINEAR);
        const prob = await model.run(input.getData());
        const small = new cv.Mat(Buffer.from(prob.buffer, prob.byteOffset, prob.byteLength), model.output.height, model.output.width, cv.CV_32FC1);
        return small.resize(image.rows, image.cols, 0, 0, cv.INTER_LINEAR).threshold(0.5, 255, cv.THRESH_BINARY).convertTo(cv.CV_8UC1);
      };
      return { photo: plain, clip: (path, out) => eachFrame(path, out, plain), close: () => model.close() };
    }
    case 'live-one':
    case 'live-whole':
    case 'live': {
      const views = ({ 'live-one': 'one', 'live-whole': 'whole', live: 'cycle' } as const)[method];
      const segmenters = new LiveSegmenters(views);
      return {
        async photo(image) {
          const segmenter = await segmenters.for({ width: image.cols, height: image.rows });
          const frames = views === 'one' ? 1 : STILL_FRAMES;
          for (let i = 1; i < frames; i++) (await segmenter.segment(new FrameImage(image))).release();
          return segmenter.segment(new FrameImage(image));
        },
        async clip(path, out) {
          const size = videoFrameSize(path);
          if (!size) throw new Error(`${path}: not a video OpenCV can read`);
          await segmentVideoFile(await segmenters.for(size), path, out, { force: true });
        },
        close: () => segmenters.close(),
      };
    }
    case 'segment': {
      const segmenter = await createSegmenter({ mode: 'photo', device: 'cpu' });
      const photo = (image: Mat) => segmenter.segment(new FrameImage(image));
      return { photo, clip: (path, out) => eachFrame(path, out, photo), close: () => segmenter.close() };
    }
  }
}

/** Masks of a clip's frames one by one, as OUT/00000.png ... */
async function eachFrame(path: string, out: string, segment: (image: Mat) => Promise<Mat>): Promise<void> {
  let index = 0;
  for await (const frame of clipFrames(path)) {
    const mask = await segment(frame);
    cv.imwrite(join(out, `${String(index++).padStart(5, '0')}.png`), mask);
    mask.release();
    frame.release();
  }
}

export interface QualityOptions {
  evalDev: string;
  /** Clips made from eval-dev by make_videos.py (made there if missing); none: photos only. */
  clips?: string;
  keep?: string;
}

export async function measureQuality({ evalDev, clips, keep }: QualityOptions): Promise<MethodResult[]> {
  const root = keep ?? (await mkdtemp(join(tmpdir(), 'blurcam-quality-')));
  if (clips !== undefined) await ensureClips(evalDev, clips);
  const clipNames = clips === undefined ? [] : (await readdir(clips)).filter((name) => existsSync(join(clips, name, 'clip.mp4'))).sort();
  const results: MethodResult[] = [];
  try {
    for (const { method, label } of METHODS) {
      const maker = await maskMaker(method);
      try {
        const photoOut = join(root, method, 'photos');
        await mkdir(photoOut, { recursive: true });
        for (const name of await photos(evalDev)) {
          const mask = await maker.photo(cv.imread(join(evalDev, 'images', name)));
          cv.imwrite(join(photoOut, name.replace(/\.[^.]+$/, '.png')), mask);
        }
        const clipOut = join(root, method, 'clips');
        for (const name of clipNames) {
          await mkdir(join(clipOut, name), { recursive: true });
          await maker.clip(join(clips as string, name, 'clip.mp4'), join(clipOut, name));
        }
        results.push({
          method: label,
          photos: await score(evalDev, photoOut),
          clips: clips === undefined ? undefined : await scoreClips(clips, clipOut),
        });
      } finally {
        await maker.close();
      }
    }
    return results;
  } finally {
    if (keep === undefined) await rm(root, { recursive: true, force: true });
  }
}

export function formatQuality(evalDev: string, clips: string | undefined, results: MethodResult[]): string {
  const width = Math.max(...results.map((result) => result.method.length));
  const first = results[0];
  const lines = [
    `photos: ${evalDev} (${first.photos.count}, scored at the set's size with --resize-pred)`,
    clips === undefined ? 'clips: none (--clips DIR)' : `clips: ${clips} (${first.clips?.clips} clips, ${first.clips?.frames} frames, scored at their size, 3-px boundary)`,
    `${'method'.padEnd(width)}  photos: IoU   median  BF1     clips: IoU   BF1     flicker`,
    ...results.map(({ method, photos: p, clips: c }) => {
      const clip = c === undefined ? '' : `${c.mean_iou.toFixed(4)}  ${c.mean_bf1.toFixed(4)}  ${c.mean_flicker_pct.toFixed(3)} %`;
      return `${method.padEnd(width)}  ${p.mean_iou.toFixed(4)}  ${p.median_iou.toFixed(4)}  ${p.mean_bf1.toFixed(4)}  ${clip}`;
    }),
  ];
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      'eval-dev': { type: 'string', default: join(SHARED, 'eval-dev') },
      clips: { type: 'string', default: join(tmpdir(), 'eval-clips') },
      'no-clips': { type: 'boolean', default: false },
      keep: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const evalDev = resolve(values['eval-dev'] ?? '');
  const clips = values['no-clips'] ? undefined : resolve(values.clips ?? '');
  const results = await measureQuality({ evalDev, clips, keep: values.keep === undefined ? undefined : resolve(values.keep) });
  process.stdout.write(`${values.json ? JSON.stringify(results, null, 2) : formatQuality(evalDev, clips, results)}\n`);
}
