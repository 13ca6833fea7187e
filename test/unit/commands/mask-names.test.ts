import { describe, expect, it } from 'vitest';
import { maskNames } from '../../../src/commands/segment.js';
import { expectFailure } from '../../support/expect-blurcam-error.js';

describe('maskNames', () => {
  it('names a mask after its photo, with .png', () => {
    expect(maskNames(['p/a.jpg', 'p/b.jpeg', 'p/c.tiff'])).toEqual(['a.png', 'b.png', 'c.png']);
  });

  it('keeps the extension of photos that share a name, also when they differ only in case', () => {
    expect(maskNames(['p/x.jpg', 'p/x.png', 'p/y.jpg'])).toEqual(['x.jpg.png', 'x.png.png', 'y.png']);
    expect(maskNames(['p/X.jpg', 'p/x.png'])).toEqual(['X.jpg.png', 'x.png.png']);
  });

  it('says OUTPUT_NAME_CLASH when two masks would still share a name', async () => {
    const error = await expectFailure(() => maskNames(['p/x.jpg', 'p/x.jpg.png', 'p/x.png']), 'OUTPUT_NAME_CLASH', /^x\.jpg and x\.jpg\.png would both get the mask x\.jpg\.png\.$/);
    expect(error.hint).toMatch(/different --out folders/);
  });
});
