/**
 * `npm run bench:quality`: mask quality on the eval-dev photos (never copied into the repo: --eval-dev points
 * at them), scored by the set's own score.py, for three ways side by side:
 * - plain: the whole photo resized to 256x256, the square model, bilinear upscaling, threshold 0.5;
 * - video path: what the live pipeline does with one frame (one inference, guided refinement), with the
 *   model a camera of the photo's shape would get;
 * - blurcam segment: the command with its default options, which is what the held-out photos are scored with.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cv } from '../opencv.js';
import { createSegmenter, type BlurcamSegmenter } from '../segment/create-segmenter.js';
import { BUNDLED_MODELS, DEFAULT_MODELS_DIR, resolveModelFile } from '../segment/model-files.js';
import { OnnxModel } from '../segment/onnx-session.js';
import { FrameImage } from '../frame-image.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(REPO, 'bin', 'blurcam.js');
const PYTHON = '/usr/bin/python3';

interface Score {
  count: number;
  mean_iou: number;
  median_iou: number;
  mean_bf1: number;
  worst: { name: string; iou: number; bf1: number }[];
}

interface MethodResult {
  method: string;
  score: Score;
}

function run(command: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

async function score(evalDev: string, predictions: string): Promise<Score> {
  const args = [join(evalDev, 'score.py'), '--gt', join(evalDev, 'masks'), '--pred', predictions, '--resize-pred', '--json'];
  const result = await run(PYTHON, args);
  if (result.code !== 0) throw new Error(`score.py failed (${result.code}): ${result.stderr.trim()}`);
  return JSON.parse(result.stdout) as Score;
}

async function photos(evalDev: string): Promise<string[]> {
  return (await readdir(join(evalDev, 'images'))).filter((name) => /\.(jpe?g|png)$/i.test(name)).sort();
}

/** The reference: whole photo to 256x256, square model, bilinear upscaling, threshold 0.5. */
async function plainWay(evalDev: string, out: string): Promise<void> {
  const model = await OnnxModel.open({ path: join(DEFAULT_MODELS_DIR, BUNDLED_MODELS.selfie.file), device: 'cpu', bundled: true });
  try {
    for (const name of await photos(evalDev)) {
      const image = cv.imread(join(evalDev, 'images', name));
      const input = image.resize(model.input.height, model.input.width, 0, 0, cv.INTER_LINEAR);
      const prob = await model.run(input.getData());
      const small = new cv.Mat(Buffer.from(prob.buffer, prob.byteOffset, prob.byteLength), model.output.height, model.output.width, cv.CV_32FC1);
      const mask = small.resize(image.rows, image.cols, 0, 0, cv.INTER_LINEAR).threshold(0.5, 255, cv.THRESH_BINARY).convertTo(cv.CV_8UC1);
      cv.imwrite(join(out, name.replace(/\.[^.]+$/, '.png')), mask);
    }
  } finally {
    await model.close();
  }
}

/** One video-mode inference per photo, with the model a camera of the photo's shape would get. */
async function videoPath(evalDev: string, out: string): Promise<void> {
  const segmenters = new Map<string, BlurcamSegmenter>();
  try {
    for (const name of await photos(evalDev)) {
      const image = cv.imread(join(evalDev, 'images', name));
      const frameSize = { width: image.cols, height: image.rows };
      const model = resolveModelFile('auto', 'video', frameSize).name;
      let segmenter = segmenters.get(model);
      if (segmenter === undefined) {
        segmenter = await createSegmenter({ mode: 'video', device: 'cpu', frameSize });
        segmenters.set(model, segmenter);
      }
      segmenter.reset();
      cv.imwrite(join(out, name.replace(/\.[^.]+$/, '.png')), await segmenter.segment(new FrameImage(image)));
    }
  } finally {
    await Promise.all([...segmenters.values()].map((segmenter) => segmenter.close()));
  }
}

/** `blurcam segment` itself, with its defaults. */
async function segmentCommand(evalDev: string, out: string): Promise<string> {
  const result = await run(process.execPath, [CLI, 'segment', join(evalDev, 'images'), '--out', out]);
  if (result.code !== 0) throw new Error(`blurcam segment failed (${result.code}): ${result.stderr.trim()}`);
  return result.stdout.split('\n').find((line) => line.startsWith('median:')) ?? '';
}

export async function measureQuality(evalDev: string, keep?: string): Promise<{ results: MethodResult[]; segmentTiming: string }> {
  const root = keep ?? (await mkdtemp(join(tmpdir(), 'blurcam-quality-')));
  const folder = async (name: string) => {
    const path = join(root, name);
    await mkdir(path, { recursive: true });
    return path;
  };
  try {
    const plain = await folder('plain');
    await plainWay(evalDev, plain);
    const video = await folder('video');
    await videoPath(evalDev, video);
    const ours = await folder('segment');
    const segmentTiming = await segmentCommand(evalDev, ours);
    const results = [
      { method: 'plain (256x256, bilinear, 0.5)', score: await score(evalDev, plain) },
      { method: 'video path (one frame)', score: await score(evalDev, video) },
      { method: 'blurcam segment (defaults)', score: await score(evalDev, ours) },
    ];
    return { results, segmentTiming };
  } finally {
    if (keep === undefined) await rm(root, { recursive: true, force: true });
  }
}

export function formatQuality(evalDev: string, { results, segmentTiming }: { results: MethodResult[]; segmentTiming: string }): string {
  const width = Math.max(...results.map((result) => result.method.length));
  const lines = [
    `eval set: ${evalDev} (${results[0].score.count} photos, masks scored at the set's size with --resize-pred)`,
    `${'method'.padEnd(width)}  mean IoU  median IoU  boundary F1`,
    ...results.map(
      ({ method, score: s }) => `${method.padEnd(width)}  ${s.mean_iou.toFixed(4)}    ${s.median_iou.toFixed(4)}      ${s.mean_bf1.toFixed(4)}`,
    ),
  ];
  const ours = results[results.length - 1].score;
  lines.push(`worst for blurcam segment: ${ours.worst.map((w) => `${w.name} (IoU ${w.iou.toFixed(2)}, BF1 ${w.bf1.toFixed(2)})`).join(', ')}`);
  if (segmentTiming) lines.push(`blurcam segment ${segmentTiming}`);
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      'eval-dev': { type: 'string', default: resolve(REPO, '..', 'shared', 'eval-dev') },
      keep: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const evalDev = resolve(values['eval-dev'] ?? '');
  const report = await measureQuality(evalDev, values.keep === undefined ? undefined : resolve(values.keep));
  process.stdout.write(`${values.json ? JSON.stringify(report, null, 2) : formatQuality(evalDev, report)}\n`);
}
