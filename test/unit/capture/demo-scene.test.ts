import { beforeAll, describe, expect, it } from 'vitest';
import { DemoScene } from '../../../src/capture/demo-scene.js';
import { cv, type Mat } from '../../../src/opencv.js';

function personShare(mask: Mat): number {
  return mask.threshold(127, 1, cv.THRESH_BINARY).countNonZero() / (mask.rows * mask.cols);
}

describe('DemoScene', () => {
  let scene: DemoScene;
  beforeAll(() => {
    scene = DemoScene.create(1280, 720);
  });

  it('draws the same frame for the same time, and a moving person over time', () => {
    const a = scene.render(2, { withMask: true });
    const b = scene.render(2, { withMask: true });
    expect(a.image.getData().equals(b.image.getData())).toBe(true);
    const later = scene.render(3.5, { withMask: true });
    expect(later.image.getData().equals(a.image.getData())).toBe(false);
    expect(later.personMask?.getData().equals(a.personMask?.getData() as Buffer)).toBe(false);
  });

  it('knows where the person is: a soft-edged mask covering a plausible share of the frame', () => {
    const { image, personMask } = scene.render(0, { withMask: true });
    expect([image.cols, image.rows, image.type]).toEqual([1280, 720, cv.CV_8UC3]);
    const mask = personMask as Mat;
    expect([mask.cols, mask.rows, mask.type]).toEqual([1280, 720, cv.CV_8UC1]);
    const share = personShare(mask);
    expect(share).toBeGreaterThan(0.2);
    expect(share).toBeLessThan(0.5);
    // Centre bottom is the person's suit, the top corners are the room.
    expect(mask.at(700, 640)).toBe(255);
    expect(mask.at(10, 10)).toBe(0);
    expect(mask.at(10, 1270)).toBe(0);
    const levels = new Set(mask.getData());
    expect(levels.size).toBeGreaterThan(10);
  });

  it('renders at other sizes, keeping the person in frame', () => {
    const small = DemoScene.create(640, 480).render(1, { withMask: true });
    expect([small.image.cols, small.image.rows]).toEqual([640, 480]);
    expect(personShare(small.personMask as Mat)).toBeGreaterThan(0.2);
    expect(scene.render(1).personMask).toBeUndefined();
  });
});
