import { linkSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkOutputs, commitFile, temporaryPathFor, writeFileSafely } from '../../../src/files/safe-write.js';
import { expectFailure } from '../../support/expect-blurcam-error.js';

function folder(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'blurcam-safe-write-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

describe('checkOutputs', () => {
  it('passes outputs that do not exist yet', async () => {
    const dir = folder({ 'photo.jpg': 'photo' });
    await checkOutputs([join(dir, 'photo.png')], { force: false, inputs: [join(dir, 'photo.jpg')], option: '--out' });
  });

  it('refuses existing files without --force, naming them, and lets --force replace them', async () => {
    const dir = folder({ 'a.png': '1', 'b.png': '2', 'c.png': '3', 'd.png': '4' });
    const targets = ['a.png', 'b.png', 'c.png', 'd.png', 'e.png'].map((name) => join(dir, name));
    const error = await expectFailure(
      () => checkOutputs(targets, { force: false, inputs: [], option: '--out' }),
      'OUTPUT_EXISTS',
      /^4 files already exist \(.*a\.png, .*b\.png, .*c\.png and 1 more\); blurcam does not replace them\.$/,
    );
    expect(error.hint).toBe('Choose another --out, or add --force to replace them.');
    await expectFailure(() => checkOutputs([targets[0]], { force: false, inputs: [], option: '--output' }), 'OUTPUT_EXISTS', /a\.png already exists; blurcam does not replace it\./);
    await checkOutputs(targets, { force: true, inputs: [], option: '--out' });
  });

  it('counts a dangling symlink as an existing file', async () => {
    const dir = folder();
    symlinkSync(join(dir, 'nowhere'), join(dir, 'link.png'));
    await expectFailure(() => checkOutputs([join(dir, 'link.png')], { force: false, inputs: [], option: '--out' }), 'OUTPUT_EXISTS', /link\.png already exists/);
  });

  it('never writes over an input, even with --force, whatever name reaches it', async () => {
    const dir = folder({ 'x.png': 'the photo' });
    const photo = join(dir, 'x.png');
    symlinkSync(photo, join(dir, 'symlink.png'));
    linkSync(photo, join(dir, 'hardlink.png'));
    for (const name of ['x.png', 'symlink.png', 'hardlink.png']) {
      const error = await expectFailure(
        () => checkOutputs([join(dir, name)], { force: true, inputs: [photo], option: '--out' }),
        'OUTPUT_IS_INPUT',
        new RegExp(`^--out would write .*${name.replace('.', '\\.')}, which is the input .*x\\.png: writing it would destroy it\\.$`),
      );
      expect(error.hint).toMatch(/--force never replaces an input/);
    }
    // The input named through a path with "..", as a user might type it.
    await expectFailure(() => checkOutputs([join(dir, '..', dir.split('/').pop() ?? '', 'x.png')], { force: true, inputs: [photo], option: '--out' }), 'OUTPUT_IS_INPUT', /is the input/);
    expect(readFileSync(photo, 'utf8')).toBe('the photo');
  });
});

describe('writeFileSafely', () => {
  it('writes the whole file under its name and leaves no temporary file', async () => {
    const dir = folder();
    const data = Buffer.alloc(3 << 20, 7);
    await writeFileSafely(join(dir, 'mask.png'), data, { force: false });
    expect(readFileSync(join(dir, 'mask.png')).equals(data)).toBe(true);
    expect(readdirSync(dir)).toEqual(['mask.png']);
  });

  it('does not replace a file that appeared after the check, unless forced', async () => {
    const dir = folder({ 'mask.png': "someone else's" });
    const target = join(dir, 'mask.png');
    await expectFailure(() => writeFileSafely(target, Buffer.from('mask'), { force: false }), 'OUTPUT_EXISTS', /mask\.png appeared while blurcam was writing it/);
    expect(readFileSync(target, 'utf8')).toBe("someone else's");
    expect(readdirSync(dir)).toEqual(['mask.png']);
    await writeFileSafely(target, Buffer.from('mask'), { force: true });
    expect(readFileSync(target, 'utf8')).toBe('mask');
    expect(readdirSync(dir)).toEqual(['mask.png']);
  });

  it('says OUTPUT_UNWRITABLE for a folder that does not exist', async () => {
    await expectFailure(() => writeFileSafely('/nonexistent/folder/mask.png', Buffer.from('x'), { force: false }), 'OUTPUT_UNWRITABLE', /^Cannot write \/nonexistent\/folder\/mask\.png: /);
  });
});

describe('commitFile', () => {
  it('moves a finished temporary file into place, keeping it when the name is taken', async () => {
    const dir = folder({ 'taken.mp4': 'old' });
    const temporary = temporaryPathFor(join(dir, 'taken.mp4'));
    expect(temporary).toMatch(/\/\.taken\.blurcam-partial-[0-9a-f]{8}\.mp4$/);
    writeFileSync(temporary, 'new video');
    await expectFailure(() => commitFile(temporary, join(dir, 'taken.mp4'), { force: false }), 'OUTPUT_EXISTS', /taken\.mp4 appeared/);
    expect(readFileSync(temporary, 'utf8')).toBe('new video');
    await commitFile(temporary, join(dir, 'free.mp4'), { force: false });
    expect(readFileSync(join(dir, 'free.mp4'), 'utf8')).toBe('new video');
    expect(statSync(join(dir, 'free.mp4')).nlink).toBe(1);
    expect(readdirSync(dir).sort()).toEqual(['free.mp4', 'taken.mp4']);
  });
});
