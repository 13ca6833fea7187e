import { beforeAll, describe, expect, it } from 'vitest';
import { DemoScene } from '../../src/capture/demo-scene.js';
import { DemoSource } from '../../src/capture/demo-source.js';
import { Compositor } from '../../src/composite/compositor.js';
import { cv, type Mat } from '../../src/opencv.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { createSegmenter } from '../../src/segment/create-segmenter.js';
import { RecordingSink } from '../support/pipeline-fakes.js';

const WIDTH = 1280;
const HEIGHT = 720;
const FPS = 30;

/** Pixels where the true mask, shrunk (person) or grown (background) by `margin`, is certain. */
function sureRegion(mask: Mat, which: 'person' | 'background', margin: number): number[] {
  const kernel = cv.getStructuringElement(cv.MORPH_ELLIPSE, new cv.Size(2 * margin + 1, 2 * margin + 1));
  const data = (which === 'person' ? mask.erode(kernel) : mask.dilate(kernel)).getData();
  const wanted = which === 'person' ? 255 : 0;
  const pixels: number[] = [];
  for (let i = 0; i < data.length; i++) if (data[i] === wanted) pixels.push(i);
  return pixels;
}

/** Mean absolute difference per channel between BGRA output and a BGR picture over some pixels. */
function meanDifference(bgra: Buffer, image: Mat, pixels: number[]): number {
  const bgr = image.getData();
  let sum = 0;
  for (const i of pixels) for (let c = 0; c < 3; c++) sum += Math.abs(bgra[i * 4 + c] - bgr[i * 3 + c]);
  return sum / (pixels.length * 3);
}

describe('the pipeline end to end: demo camera, real segmenter, blur', () => {
  const sink = new RecordingSink();
  let pipeline: Pipeline;

  beforeAll(async () => {
    const source = DemoSource.create({ width: WIDTH, height: HEIGHT, fps: FPS, paced: false });
    const segmenter = await createSegmenter({ mode: 'video', frameSize: { width: WIDTH, height: HEIGHT } });
    pipeline = new Pipeline({ source, segmenter, compositor: new Compositor({ kind: 'blur', strength: 0.5 }), sink }, { lockstep: true, maxFrames: 15 });
    await pipeline.run();
  });

  it('delivers every frame, in order, without drops', () => {
    expect(sink.frames.map((frame) => frame.seq)).toEqual([...Array(15).keys()]);
    expect(pipeline.stats.total()).toMatchObject({ framesIn: 15, framesOut: 15, dropsTotal: 0 });
    expect(sink.closed).toBe(true);
  });

  it('keeps the person sharp and blurs the room around her', () => {
    const last = sink.frames[14];
    const truth = DemoScene.create(WIDTH, HEIGHT).render(14 / FPS, { withMask: true });
    const mask = truth.personMask as Mat;
    const person = sureRegion(mask, 'person', 12);
    const background = sureRegion(mask, 'background', 40);
    // The person comes through (almost) untouched; the room does not.
    expect(meanDifference(last.data, truth.image, person)).toBeLessThan(3);
    const blurred = truth.image.gaussianBlur(new cv.Size(0, 0), 17);
    expect(meanDifference(last.data, truth.image, background)).toBeGreaterThan(8);
    expect(meanDifference(last.data, blurred, background)).toBeLessThan(meanDifference(last.data, truth.image, background) / 2);
  });

  it('measures every stage', () => {
    const { stages, total } = pipeline.stats.total();
    for (const stage of ['capture', 'segment', 'composite', 'output'] as const) expect(stages[stage].p50_ms).toBeGreaterThanOrEqual(0);
    expect(total.p50_ms).toBeGreaterThan(stages.segment.p50_ms);
  });
});
