/**
 * `node dist/bench/composite-speed.js [--clip clip.mp4] [--size 1280x720] [--repeats 200]`: what each part of
 * compositing costs on one frame of the demo scene with its true person mask (the masked blur, the BGRA blend, the
 * edge blend, the whole compositor per effect), beside the floor every frame pays: reading it from a clip and converting it to
 * BGRA. Minimum and median of many repetitions in one process: the minimum is close to an idle machine's figure.
 */
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DemoScene } from '../capture/demo-scene.js';
import { blendPerson } from '../composite/blend-person.js';
import { Compositor } from '../composite/compositor.js';
import { maskedBlur, shrunkMaskedBlur } from '../composite/masked-blur.js';
import { parseSize } from '../config.js';
import { FrameImage } from '../frame-image.js';
import { cv, keepFrameMemoryInProcess, type Mat } from '../opencv.js';
import { LatencyHistogram } from '../pipeline/latency-histogram.js';

const SPACE = fileURLToPath(new URL('../../assets/demo/space.jpg', import.meta.url));

export interface CompositeSpeedOptions {
  width: number;
  height: number;
  repeats: number;
  /** A video file whose frames are read for the floor figure; no floor without it. */
  clip?: string;
}

export interface PartFigures {
  part: string;
  min_ms: number;
  p50_ms: number;
}

async function time(part: string, repeats: number, work: () => unknown): Promise<PartFigures> {
  const histogram = new LatencyHistogram();
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    await work();
    histogram.record(performance.now() - start);
  }
  const round = (ms: number) => Math.round(ms * 100) / 100;
  return { part, min_ms: round(histogram.percentile(0)), p50_ms: round(histogram.percentile(0.5)) };
}

export async function measureCompositeSpeed({ width, height, repeats, clip }: CompositeSpeedOptions): Promise<PartFigures[]> {
  keepFrameMemoryInProcess();
  const scene = DemoScene.create(width, height);
  const { image, personMask } = scene.render(1, { withMask: true });
  const frame = new FrameImage(image);
  const mask = personMask as Mat;
  const parts: PartFigures[] = [];
  if (clip) {
    const capture = new cv.VideoCapture(clip, cv.CAP_FFMPEG);
    parts.push(
      await time('floor: read a clip frame + convert to BGRA', repeats, async () => {
        let frame = await capture.readAsync();
        if (frame.empty) {
          capture.set(cv.CAP_PROP_POS_FRAMES, 0);
          frame = await capture.readAsync();
        }
        return frame.cvtColor(cv.COLOR_BGR2BGRA).getData();
      }),
    );
    capture.release();
  }
  const foreground = image.cvtColor(cv.COLOR_BGR2BGRA).getData();
  const levels = mask.getData();
  // The edge pass costs the same whatever the background it mixes into: one copy of it is enough.
  const out = maskedBlur(image, mask, 0.5).cvtColor(cv.COLOR_BGR2BGRA).getData();
  const blur = new Compositor({ kind: 'blur', strength: 0.5 });
  const replace = new Compositor({ kind: 'replace', image: cv.imread(SPACE) });
  const none = new Compositor({ kind: 'none' });
  // The frame's half-size copy is made by the first call and then reused, as in the pipeline, where the segmenter
  // has made it before the compositor runs (FrameImage.halfSize). Output buffers go back as the pipeline gives them.
  parts.push(
    await time('composite, blur (whole stage)', repeats, () => blur.recycle(blur.composite(frame, mask))),
    await time('  masked blur, at its reduced size', repeats, () => shrunkMaskedBlur(frame, mask, 0.5).release()),
    await time('  person and soft edge over it (JavaScript)', repeats, () => blendPerson(out, foreground, levels)),
    await time('composite, replace', repeats, () => replace.recycle(replace.composite(frame, mask))),
    await time('composite, none', repeats, () => none.recycle(none.composite(frame))),
    await time('demo scene, one frame', repeats, () => scene.render(2).image.release()),
  );
  return parts;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      clip: { type: 'string' },
      size: { type: 'string', default: '1280x720' },
      repeats: { type: 'string', default: '200' },
    },
  });
  const size = parseSize(values.size ?? '1280x720');
  const parts = await measureCompositeSpeed({ ...size, repeats: Number(values.repeats), clip: values.clip });
  const lines = parts.map(({ part, min_ms, p50_ms }) => `  ${part.padEnd(44)} min ${min_ms.toFixed(2).padStart(6)} ms   median ${p50_ms.toFixed(2).padStart(6)} ms`);
  process.stdout.write(
    [`${size.width}x${size.height}:`, ...lines, `load average ${loadavg()[0].toFixed(1)} on ${cpus().length} CPUs`].join('\n') + '\n',
  );
}
