import { describe, expect, it } from 'vitest';
import { coverImage } from '../../../src/composite/cover-image.js';
import { cv } from '../../../src/opencv.js';

/** A picture with a red left third, a green middle and a blue right third. */
function thirds(width: number, height: number) {
  const image = new cv.Mat(height, width, cv.CV_8UC3, [0, 255, 0]);
  image.drawRectangle(new cv.Rect(0, 0, width / 3, height), new cv.Vec3(0, 0, 255), -1);
  image.drawRectangle(new cv.Rect((2 * width) / 3, 0, width / 3, height), new cv.Vec3(255, 0, 0), -1);
  return image;
}

describe('coverImage', () => {
  it('scales a wide picture to the frame height and cuts the sides equally', () => {
    const covered = coverImage(thirds(300, 100), 100, 200);
    expect([covered.cols, covered.rows]).toEqual([100, 200]);
    // Scaled to 600x200, the middle 100 columns are all green: both coloured thirds were cut off.
    const data = covered.getData();
    for (const x of [0, 50, 99]) expect([...data.subarray((100 * 100 + x) * 3, (100 * 100 + x) * 3 + 3)]).toEqual([0, 255, 0]);
  });

  it('scales a tall picture to the frame width, keeping every column', () => {
    const covered = coverImage(thirds(90, 400), 180, 90);
    expect([covered.cols, covered.rows]).toEqual([180, 90]);
    const pixel = (x: number) => [...covered.getData().subarray((45 * 180 + x) * 3, (45 * 180 + x) * 3 + 3)];
    expect(pixel(5)).toEqual([0, 0, 255]);
    expect(pixel(90)).toEqual([0, 255, 0]);
    expect(pixel(175)).toEqual([255, 0, 0]);
  });
});
