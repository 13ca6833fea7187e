import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkRatiosInputs, formatSummary, type RatiosOptions, summarizeRatios } from '../../../src/bench/ratios.js';
import { BlurcamError } from '../../../src/errors.js';

describe('summarizeRatios', () => {
  // Two rounds, two builds, two runs each (the figures of two real rounds, rounded).
  const rounds = [
    { floor: [2.0, 2.2] as [number, number], article: 84, builds: [[8.4, 8.0], [7.0, 8.4]] },
    { floor: [1.9, 2.1] as [number, number], article: 72, builds: [[7.5, 8.0], [7.2, 6.0]] },
  ];

  it("divides the article's p50 by each run's, and each run's by the mean of its round's two floor runs", () => {
    const [first, second] = summarizeRatios(['a', 'b'], rounds);
    expect(first.runs).toBe(4);
    // a: 84/8.4 = 10, 84/8.0 = 10.5, 72/7.5 = 9.6, 72/8.0 = 9.
    expect(first.articleOverBlurcam).toEqual({ min: 9, median: 9.8, max: 10.5, meeting: 2 });
    // a over floors 2.1 and 2.0: 4, 3.81, 3.75, 4.
    expect(first.blurcamOverFloor.min).toBeCloseTo(3.75, 10);
    expect(first.blurcamOverFloor.max).toBeCloseTo(4, 10);
    expect(first.blurcamOverFloor.meeting).toBe(4);
    // b: 12, 10, 10, 12 against the article; 3.33, 4, 3.6, 3 against the floor.
    expect(second.articleOverBlurcam).toEqual({ min: 10, median: 11, max: 12, meeting: 4 });
    expect(second.blurcamOverFloor.meeting).toBe(4);
    expect(second.blurcamOverFloor.median).toBeCloseTo((7.0 / 2.1 + 3.6) / 2, 10);
  });

  it('counts a run just short of a target as missing it, however the printout rounds it', () => {
    const [summary] = summarizeRatios(['a'], [{ floor: [1.8, 1.8], article: 72.4, builds: [[7.26, 7.24]] }]);
    // 72.4 / 7.26 = 9.97 (short of 10x), 72.4 / 7.24 = 10.0; 7.26 / 1.8 = 4.03 (over 4x), 7.24 / 1.8 = 4.02.
    expect(summary.articleOverBlurcam.meeting).toBe(1);
    expect(summary.blurcamOverFloor.meeting).toBe(0);
    expect(formatSummary([summary])).toContain('10x or more in 1 of 2 runs');
  });
});

describe('checkRatiosInputs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'blurcam-ratios-'));
  const options = (over: Partial<RatiosOptions>): RatiosOptions => ({
    benchDir: dir,
    clip: join(dir, 'clip.mp4'),
    rounds: 3,
    frames: 300,
    articleFrames: 100,
    builds: [join(dir, 'cli.js')],
    ...over,
  });
  const refusal = (over: Partial<RatiosOptions>) => {
    try {
      checkRatiosInputs(options(over));
    } catch (error) {
      if (error instanceof BlurcamError) return `${error.code}: ${error.message} ${error.hint}`;
      throw error;
    }
    return 'accepted';
  };

  it('names the missing script, clip or build, and how to get it', () => {
    expect(refusal({})).toMatch(/^PATH_NOT_FOUND: --bench .*no floor\.py there\. Point --bench at the folder/);
    writeFileSync(join(dir, 'floor.py'), '');
    writeFileSync(join(dir, 'seed_baseline.py'), '');
    expect(refusal({})).toMatch(/--clip .*clip\.mp4: no such file\. Make it first: sh .*make-clip\.sh .*clip\.mp4$/);
    writeFileSync(join(dir, 'clip.mp4'), '');
    expect(refusal({})).toMatch(/--build .*cli\.js: no such file\. .*npm run build/);
    writeFileSync(join(dir, 'cli.js'), '');
    expect(refusal({})).toBe('accepted');
    expect(refusal({ rounds: 0 })).toMatch(/^BAD_OPTION: --rounds 0/);
    expect(refusal({ rounds: Number('three') })).toMatch(/^BAD_OPTION: --rounds NaN/);
  });
});
