import { describe, expect, it } from 'vitest';
import { cv } from '../../../src/opencv.js';
import { SmallRegions, SPECK_AREA_SHARE } from '../../../src/segment/small-regions.js';

const THRESHOLD = 0.45;

/** A grid from rows of text: '#' is person (0.9), '.' background (0.1). */
function gridOf(rows: string[]): { prob: Float32Array; size: { width: number; height: number } } {
  const size = { width: rows[0].length, height: rows.length };
  const prob = Float32Array.from(rows.join(''), (c) => (c === '#' ? 0.9 : 0.1));
  return { prob, size };
}

function textOf(prob: Float32Array, width: number): string[] {
  const rows: string[] = [];
  for (let i = 0; i < prob.length; i += width) rows.push(Array.from(prob.subarray(i, i + width), (p) => (p >= THRESHOLD ? '#' : '.')).join(''));
  return rows;
}

/**
 * What SmallRegions should give, from OpenCV's own connected components: person regions (8-connected) and
 * background regions (4-connected) of at most `maxArea` pixels that do not touch the edge change sides.
 */
function expectedByOpenCv(prob: Float32Array, width: number, height: number, maxArea: number): Float32Array {
  const person = new cv.Mat(Buffer.from(Array.from(prob, (p) => (p >= THRESHOLD ? 1 : 0))), height, width, cv.CV_8UC1);
  const background = new cv.Mat(Buffer.from(Array.from(prob, (p) => (p >= THRESHOLD ? 0 : 1))), height, width, cv.CV_8UC1);
  const out = Float32Array.from(prob);
  for (const [mask, connectivity, value] of [
    [person, 8, 0],
    [background, 4, 1],
  ] as const) {
    const { labels, stats } = mask.connectedComponentsWithStats(connectivity, cv.CV_32S);
    const label = new Int32Array(labels.getData().buffer.slice(0));
    const onSide = mask.getData();
    const speckLabels = new Set<number>();
    for (let region = 1; region < stats.rows; region++) {
      const [x, y, w, h, area] = [0, 1, 2, 3, 4].map((column) => stats.at(region, column));
      if (area <= maxArea && x > 0 && y > 0 && x + w < width && y + h < height) speckLabels.add(region);
    }
    const speck = (index: number) => onSide[index] === 1 && speckLabels.has(label[index]);
    for (let i = 0; i < out.length; i++) if (speck(i)) out[i] = value;
  }
  return out;
}

describe('SmallRegions', () => {
  it('takes out a floating island and fills a hole, and leaves what touches the edge', () => {
    const { prob, size } = gridOf([
      '..........', //
      '.#......#.',
      '..........',
      '...####...',
      '...#..#...',
      '...####...',
      '#.........',
    ]);
    const regions = new SmallRegions(size, 4 / 70);
    expect(regions.maxArea).toBe(4);
    expect(regions.remove(prob, THRESHOLD)).toBe(4);
    expect(textOf(prob, size.width)).toEqual([
      '..........', //
      '..........',
      '..........',
      '...####...',
      '...####...',
      '...####...',
      '#.........',
    ]);
  });

  it('joins person pixels that touch at a corner, and background pixels only side by side', () => {
    // The diagonal pair is one island of 2 (kept: larger than 1); the two background pixels in the ring touch
    // only at a corner, so each is a hole of 1 (filled).
    const { prob, size } = gridOf([
      '........', //
      '.#......',
      '..#.###.',
      '....#.#.',
      '....##..',
      '........',
    ]);
    const changed = new SmallRegions(size, 1 / 48).remove(prob, THRESHOLD);
    expect(textOf(prob, size.width)).toEqual([
      '........', //
      '.#......',
      '..#.###.',
      '....###.',
      '....##..',
      '........',
    ]);
    expect(changed).toBe(1);
  });

  it('keeps regions over the size limit', () => {
    const { prob, size } = gridOf(['......', '.##...', '.##...', '......', '....#.', '......']);
    expect(new SmallRegions(size, 3 / 36).remove(prob, THRESHOLD)).toBe(1);
    expect(textOf(prob, size.width)).toEqual(['......', '.##...', '.##...', '......', '......', '......']);
  });

  it("agrees with OpenCV's connected components on random blobs, pixel for pixel", () => {
    const width = 256;
    const height = 144;
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const regions = new SmallRegions({ width, height });
    expect(regions.maxArea).toBe(Math.floor(width * height * SPECK_AREA_SHARE));
    for (let trial = 0; trial < 6; trial++) {
      // Noise smoothed into blobs of every size, around the threshold.
      const noise = new cv.Mat(height, width, cv.CV_32FC1);
      const values = new Float32Array(width * height).map(() => random());
      noise.setData(Buffer.from(values.buffer));
      const blurred = noise.gaussianBlur(new cv.Size(0, 0), 1 + trial * 0.7);
      const prob = new Float32Array(blurred.getData().buffer.slice(0));
      // Spread around the threshold so that both sides have many regions.
      let mean = 0;
      for (const p of prob) mean += p / prob.length;
      for (let i = 0; i < prob.length; i++) prob[i] = THRESHOLD + (prob[i] - mean) * 8;
      const expected = expectedByOpenCv(prob, width, height, regions.maxArea);
      const changed = regions.remove(prob, THRESHOLD);
      expect(changed).toBeGreaterThan(0);
      expect(prob).toEqual(expected);
    }
  });
});
