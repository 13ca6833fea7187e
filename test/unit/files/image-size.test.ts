import { describe, expect, it } from 'vitest';
import { checkImageSize, readImageSize } from '../../../src/files/image-size.js';
import { cv } from '../../../src/opencv.js';
import { expectFailure } from '../../support/expect-blurcam-error.js';

const LIMIT = { maxMegapixels: 50, unreadableHint: 'Use a photo.', tooLargeHint: 'Scale it down.' };

/** A PNG that is nothing but a signature and a header claiming this size: what a crafted file looks like. */
function pngHeader(width: number, height: number): Buffer {
  const bytes = Buffer.alloc(33);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(bytes, 0);
  bytes.writeUInt32BE(13, 8);
  bytes.write('IHDR', 12, 'latin1');
  bytes.writeUInt32BE(width, 16);
  bytes.writeUInt32BE(height, 20);
  return bytes;
}

describe('readImageSize', () => {
  it.each(['.png', '.jpg', '.bmp', '.webp', '.tiff'])('reads the size of a real %s without decoding it', (extension) => {
    const image = new cv.Mat(37, 91, cv.CV_8UC3, [10, 200, 30]);
    const bytes = cv.imencode(extension, image);
    const format = { '.png': 'png', '.jpg': 'jpeg', '.bmp': 'bmp', '.webp': 'webp', '.tiff': 'tiff' }[extension];
    expect(readImageSize(bytes)).toEqual({ format, width: 91, height: 37 });
  });

  it('reads a lossless WebP and a progressive JPEG, and a JPEG after large metadata segments', () => {
    const image = new cv.Mat(300, 500, cv.CV_8UC3, [90, 80, 70]);
    expect(readImageSize(cv.imencode('.webp', image, [cv.IMWRITE_WEBP_QUALITY, 101]))).toEqual({ format: 'webp', width: 500, height: 300 });
    expect(readImageSize(cv.imencode('.jpg', image, [cv.IMWRITE_JPEG_PROGRESSIVE, 1]))).toEqual({ format: 'jpeg', width: 500, height: 300 });
    const jpeg = cv.imencode('.jpg', image);
    // An APP1 segment of 60 KB (as camera metadata can be) between the start marker and the frame header.
    const app1 = Buffer.alloc(4 + 60_000);
    app1.writeUInt16BE(0xffe1, 0);
    app1.writeUInt16BE(60_002, 2);
    expect(readImageSize(Buffer.concat([jpeg.subarray(0, 2), app1, jpeg.subarray(2)]))).toEqual({ format: 'jpeg', width: 500, height: 300 });
  });

  it('gives undefined for other bytes and for headers cut short', () => {
    expect(readImageSize(Buffer.from('not an image at all'))).toBeUndefined();
    expect(readImageSize(Buffer.alloc(0))).toBeUndefined();
    expect(readImageSize(pngHeader(10, 10).subarray(0, 20))).toBeUndefined();
    const jpeg = cv.imencode('.jpg', new cv.Mat(8, 8, cv.CV_8UC3, [0, 0, 0]));
    expect(readImageSize(jpeg.subarray(0, 30))).toBeUndefined();
    expect(readImageSize(cv.imencode('.tiff', new cv.Mat(8, 8, cv.CV_8UC3, [0, 0, 0])).subarray(0, 12))).toBeUndefined();
    expect(readImageSize(pngHeader(0, 10))).toBeUndefined();
  });
});

describe('checkImageSize', () => {
  it('passes an image within the limit', () => {
    expect(checkImageSize(pngHeader(8160, 6120), 'x.png', LIMIT)).toEqual({ format: 'png', width: 8160, height: 6120 });
  });

  it('refuses an image over the limit by its header, naming the size and the limit', async () => {
    const error = await expectFailure(
      () => checkImageSize(pngHeader(100_000, 100_000), 'huge.png', LIMIT),
      'IMAGE_TOO_LARGE',
      /^huge\.png is 100000x100000 \(10000\.0 megapixels\), over blurcam's limit of 50 megapixels\.$/,
    );
    expect(error.hint).toBe('Scale it down.');
  });

  it('refuses a file whose header it cannot read', async () => {
    const error = await expectFailure(() => checkImageSize(Buffer.from('GIF89a....'), 'anim.gif', LIMIT), 'IMAGE_UNREADABLE', /^anim\.gif is not a JPEG, PNG, BMP, TIFF or WebP image/);
    expect(error.hint).toBe('Use a photo.');
  });
});
