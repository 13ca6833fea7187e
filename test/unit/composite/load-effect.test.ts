import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadEffect } from '../../../src/composite/load-effect.js';
import { cv } from '../../../src/opencv.js';
import { expectFailure } from '../../support/expect-blurcam-error.js';

const SPACE = fileURLToPath(new URL('../../../assets/demo/space.jpg', import.meta.url));

describe('loadEffect', () => {
  it('reads blur, none and a background image', () => {
    expect(loadEffect({ effect: 'blur', blurStrength: 0.7 })).toEqual({ kind: 'blur', strength: 0.7 });
    expect(loadEffect({ effect: 'none', blurStrength: 0.5 })).toEqual({ kind: 'none' });
    const replace = loadEffect({ effect: 'blur', blurStrength: 0.5, background: SPACE });
    expect(replace.kind).toBe('replace');
    if (replace.kind === 'replace') expect([replace.image.cols, replace.image.rows]).toEqual([1000, 872]);
  });


  it('says when the background image is missing or not an image', async () => {
    await expectFailure(() => loadEffect({ effect: 'blur', blurStrength: 0.5, background: '/nonexistent/beach.jpg' }), 'PATH_NOT_FOUND', /--background \/nonexistent\/beach.jpg: no such file/);
    const notImage = join(mkdtempSync(join(tmpdir(), 'blurcam-effect-')), 'notes.jpg');
    writeFileSync(notImage, 'this is text, not a JPEG');
    await expectFailure(() => loadEffect({ effect: 'blur', blurStrength: 0.5, background: notImage }), 'IMAGE_UNREADABLE', /notes\.jpg is not a JPEG, PNG, BMP, TIFF or WebP image/);
  });

  it('refuses a background over 50 megapixels by its header, before decoding it', async () => {
    // A real JPEG whose frame header says 8000x7000 (56 megapixels: 168 MB once decoded).
    const jpeg = cv.imencode('.jpg', new cv.Mat(16, 16, cv.CV_8UC3, [40, 90, 140]));
    const frameHeader = jpeg.indexOf(Buffer.from([0xff, 0xc0]));
    jpeg.writeUInt16BE(7000, frameHeader + 5);
    jpeg.writeUInt16BE(8000, frameHeader + 7);
    const huge = join(mkdtempSync(join(tmpdir(), 'blurcam-effect-')), 'huge.jpg');
    writeFileSync(huge, jpeg);
    const error = await expectFailure(
      () => loadEffect({ effect: 'blur', blurStrength: 0.5, background: huge }),
      'IMAGE_TOO_LARGE',
      /^--background .*huge\.jpg is 8000x7000 \(56\.0 megapixels\), over blurcam's limit of 50 megapixels\.$/,
    );
    expect(error.hint).toMatch(/Scale it down/);
  });
});
