import { describe, expect, it } from 'vitest';
import { FrameImage } from '../../src/frame-image.js';
import { cv, withScratch, withScratchAsync, type Mat } from '../../src/opencv.js';

const picture = () => new cv.Mat(90, 160, cv.CV_8UC3, [10, 120, 200]);

describe('withScratch', () => {
  it('frees every tracked matrix when the work returns, and leaves the result alone', () => {
    const tracked: Mat[] = [];
    const result = withScratch((track) => {
      const half = track(picture().resize(45, 80));
      tracked.push(half);
      return track(half.cvtColor(cv.COLOR_BGR2GRAY)).copy();
    });
    expect(Boolean(tracked[0].empty)).toBe(true);
    expect([Boolean(result.empty), result.cols, result.rows]).toEqual([false, 80, 45]);
  });

  it('frees them when the work throws, and after an awaited step', async () => {
    let kept: Mat | undefined;
    expect(() =>
      withScratch((track) => {
        kept = track(picture());
        throw new Error('step failed');
      }),
    ).toThrow('step failed');
    expect(Boolean(kept?.empty)).toBe(true);
    await withScratchAsync(async (track) => {
      kept = track(picture());
      await new Promise((resolve) => setImmediate(resolve));
      expect(Boolean(kept.empty)).toBe(false);
    });
    expect(Boolean(kept?.empty)).toBe(true);
  });
});

describe('FrameImage.halfSize', () => {
  it('makes the half-size picture once per image, as an area resize', () => {
    const image = picture();
    const frame = new FrameImage(image);
    const half = frame.halfSize();
    expect(frame.halfSize()).toBe(half);
    expect([half.cols, half.rows]).toEqual([80, 45]);
    expect(half.getData().equals(image.resize(45, 80, 0, 0, cv.INTER_AREA).getData())).toBe(true);
  });

  it('frees the copy with releaseDerived() or release(), and makes it anew after releaseDerived()', () => {
    const image = picture();
    const frame = new FrameImage(image);
    const first = frame.halfSize();
    frame.releaseDerived();
    expect(Boolean(first.empty)).toBe(true);
    const second = frame.halfSize();
    expect(second).not.toBe(first);
    frame.release();
    expect([Boolean(image.empty), Boolean(second.empty)]).toEqual([true, true]);
  });
});
