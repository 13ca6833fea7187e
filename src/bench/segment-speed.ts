/**
 * `npm run bench:segment`: how long the video-mode segmenter takes per 1280x720 frame (model, temporal
 * smoothing and guided refinement, from the BGR frame to the full-size 8-bit mask), median and p95, beside
 * the time of the model alone. The frames are the astronaut photo letterboxed into 1280x720, moving a few
 * pixels from frame to frame so that smoothing and refinement see changing masks.
 */
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseSize } from '../config.js';
import { FrameImage } from '../frame-image.js';
import { cv, keepFrameMemoryInProcess, type Mat } from '../opencv.js';
import { LatencyHistogram } from '../pipeline/latency-histogram.js';
import { createSegmenter } from '../segment/create-segmenter.js';
import type { Device } from '../segment/segmenter.js';

const ASTRONAUT = fileURLToPath(new URL('../../assets/demo/astronaut.jpg', import.meta.url));
const WARMUP_FRAMES = 30;
/** Distinct frames cycled through: the person sways left and right by up to this many pixels. */
const SWAY_PX = [0, 4, 8, 12, 8, 4, 0, -4, -8, -12, -8, -4];

export interface SegmentSpeedOptions {
  frames: number;
  /** OpenCV's worker threads for the whole process (cv.setNumThreads); default: OpenCV's own choice. */
  opencvThreads?: number;
  width: number;
  height: number;
  model: string;
  device: Device;
  threads?: number;
}

interface Figures {
  median: number;
  p95: number;
}

export interface SegmentSpeedReport {
  model: string;
  opencvThreads: number;
  frame: string;
  frames: number;
  /** segment(): model, smoothing and refinement, BGR frame in, full-size mask out. */
  segmentMs: Figures;
  /** The model's share of segment(): input resize to planar floats, inference, output decoding. */
  modelInSegmentMs: Figures;
  /** The model's `run` alone on a fixed input, back to back. */
  modelOnlyMs: Figures;
  load: { average: number; cpus: number };
}

/** The photo scaled to the frame's height, centred on grey, shifted `dx` pixels. */
function makeFrame(photo: Mat, width: number, height: number, dx: number): Mat {
  const frame = new cv.Mat(height, width, cv.CV_8UC3, [128, 128, 128]);
  const side = Math.min(width, height);
  const x = Math.max(0, Math.min(width - side, Math.round((width - side) / 2) + dx));
  photo.resize(side, side, 0, 0, cv.INTER_AREA).copyTo(frame.getRegion(new cv.Rect(x, 0, side, side)));
  return frame;
}

function figures(histogram: LatencyHistogram): Figures {
  return { median: histogram.percentile(0.5), p95: histogram.percentile(0.95) };
}

export async function measureSegmentSpeed(options: SegmentSpeedOptions): Promise<SegmentSpeedReport> {
  const { width, height } = options;
  keepFrameMemoryInProcess();
  if (options.opencvThreads !== undefined) cv.setNumThreads(options.opencvThreads);
  const photo = cv.imread(ASTRONAUT);
  const frames = SWAY_PX.map((dx) => new FrameImage(makeFrame(photo, width, height, dx)));
  const segmenter = await createSegmenter({
    mode: 'video',
    frameSize: { width, height },
    model: options.model,
    device: options.device,
    threads: options.threads,
  });
  const segment = new LatencyHistogram();
  const modelInSegment = new LatencyHistogram();
  const modelOnly = new LatencyHistogram();
  try {
    for (let i = 0; i < WARMUP_FRAMES + options.frames; i++) {
      const start = performance.now();
      const mask = await segmenter.segment(frames[i % frames.length]);
      const elapsedMs = performance.now() - start;
      // Freed as the pipeline frees it: left to the garbage collector, masks would pile up and cost page faults.
      mask.release();
      // The frames come round again: each must be reduced anew, as a camera's frame would be.
      frames[i % frames.length].releaseDerived();
      if (i < WARMUP_FRAMES) continue;
      segment.record(elapsedMs);
      modelInSegment.record(segmenter.lastTimings.modelMs);
    }
    const { input } = segmenter.model;
    const bgr = frames[0].mat.resize(input.height, input.width, 0, 0, cv.INTER_AREA).getData();
    for (let i = 0; i < WARMUP_FRAMES + options.frames; i++) {
      const start = performance.now();
      await segmenter.model.run(bgr);
      if (i >= WARMUP_FRAMES) modelOnly.record(performance.now() - start);
    }
  } finally {
    await segmenter.close();
  }
  return {
    model: segmenter.description,
    opencvThreads: cv.getNumThreads(),
    frame: `${width}x${height}`,
    frames: options.frames,
    segmentMs: figures(segment),
    modelInSegmentMs: figures(modelInSegment),
    modelOnlyMs: figures(modelOnly),
    load: { average: loadavg()[0], cpus: cpus().length },
  };
}

export function formatSegmentSpeed(report: SegmentSpeedReport): string {
  const ms = ({ median, p95 }: Figures) => `median ${median.toFixed(2)} ms, p95 ${p95.toFixed(2)} ms`;
  return [
    `model: ${report.model}; OpenCV threads: ${report.opencvThreads}`,
    `${report.frames} frames of ${report.frame}:`,
    `  segmentation (frame in, mask out):             ${ms(report.segmentMs)}`,
    `    of which the model (input, inference, output): ${ms(report.modelInSegmentMs)}`,
    `  model alone, back to back:                      ${ms(report.modelOnlyMs)}`,
    `load average ${report.load.average.toFixed(1)} on ${report.load.cpus} CPUs (the figures are only comparable at a similar load)`,
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      frames: { type: 'string', default: '300' },
      size: { type: 'string', default: '1280x720' },
      model: { type: 'string', default: 'auto' },
      device: { type: 'string', default: 'auto' },
      threads: { type: 'string' },
      'opencv-threads': { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const report = await measureSegmentSpeed({
    frames: Number(values.frames),
    ...parseSize(values.size ?? '1280x720'),
    model: values.model ?? 'auto',
    device: (values.device ?? 'auto') as Device,
    threads: values.threads === undefined ? undefined : Number(values.threads),
    opencvThreads: values['opencv-threads'] === undefined ? undefined : Number(values['opencv-threads']),
  });
  process.stdout.write(`${values.json ? JSON.stringify(report, null, 2) : formatSegmentSpeed(report)}\n`);
}
