import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadEffect } from '../../../src/composite/load-effect.js';
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
    await expectFailure(() => loadEffect({ effect: 'blur', blurStrength: 0.5, background: notImage }), 'IMAGE_UNREADABLE', /is not an image blurcam can read/);
  });
});
