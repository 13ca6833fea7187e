/**
 * No run of blurcam destroys a user's file: the real CLI against real files. Masks and videos never replace an
 * existing file without --force, never an input even with it (by any name), photos that share a name get masks
 * of their own, a crash leaves no half-written file under the output's name, and a closed stdout or stderr
 * stops blurcam cleanly.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { cv } from '../../src/opencv.js';
import { runCli } from '../support/run-cli.js';

const CLI = fileURLToPath(new URL('../../bin/blurcam.js', import.meta.url));
const ASTRONAUT = fileURLToPath(new URL('../../assets/demo/astronaut.jpg', import.meta.url));
const SPACE = fileURLToPath(new URL('../../assets/demo/space.jpg', import.meta.url));
const ENV = { ...process.env, BLURCAM_CONFIG_DIR: '/nonexistent/blurcam-test-config' };

const tempFolder = () => mkdtempSync(join(tmpdir(), 'blurcam-output-safety-'));
const partialFiles = (dir: string) => readdirSync(dir).filter((name) => name.includes('.blurcam-partial-'));

/** The CLI as a child process whose output streams the test controls. */
function spawnCli(args: string[]): { child: ChildProcess; stdout: () => string; stderr: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [CLI, ...args], { env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

async function waitUntil(what: string, check: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('blurcam segment never destroys a photo', { timeout: 120_000 }, () => {
  it('gives photos that share a name masks of their own, next to the photos, and leaves every photo as it was', async () => {
    // The reported case: x.jpg and x.png are two different photos, and --out is their own folder.
    const dir = tempFolder();
    copyFileSync(ASTRONAUT, join(dir, 'x.jpg'));
    cv.imwrite(join(dir, 'x.png'), cv.imread(SPACE));
    copyFileSync(ASTRONAUT, join(dir, 'y.jpg'));
    const photos = Object.fromEntries(['x.jpg', 'x.png', 'y.jpg'].map((name) => [name, readFileSync(join(dir, name))]));

    const result = await runCli(['segment', dir, '--out', dir]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^x\.jpg {2}512x512 .* -> x\.jpg\.png$/m);
    expect(result.stdout).toMatch(/^x\.png {2}1000x872 .* -> x\.png\.png$/m);
    expect(result.stdout).toMatch(/^y\.jpg {2}512x512 .*inferences\)$/m);
    for (const [name, bytes] of Object.entries(photos)) expect(readFileSync(join(dir, name)).equals(bytes)).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(['x.jpg', 'x.jpg.png', 'x.png', 'x.png.png', 'y.jpg', 'y.png']);
    const size = (name: string) => {
      const mask = cv.imread(join(dir, name), cv.IMREAD_UNCHANGED);
      return [mask.cols, mask.rows, mask.type];
    };
    expect([size('x.jpg.png'), size('x.png.png'), size('y.png')]).toEqual([
      [512, 512, cv.CV_8UC1],
      [1000, 872, cv.CV_8UC1],
      [512, 512, cv.CV_8UC1],
    ]);
  });

  it('refuses to replace an existing file before loading the model, and replaces it with --force', async () => {
    const input = tempFolder();
    copyFileSync(ASTRONAUT, join(input, 'astronaut.jpg'));
    const out = join(input, 'masks');
    mkdirSync(out);
    writeFileSync(join(out, 'astronaut.png'), 'a file of the user');

    const refused = await runCli(['segment', input, '--out', out]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toBe(
      `blurcam: ${join(out, 'astronaut.png')} already exists; blurcam does not replace it.\n  fix: Choose another --out, or add --force to replace it.\n`,
    );
    expect(readFileSync(join(out, 'astronaut.png'), 'utf8')).toBe('a file of the user');

    const forced = await runCli(['segment', input, '--out', out, '--force']);
    expect(forced.code).toBe(0);
    expect(cv.imread(join(out, 'astronaut.png'), cv.IMREAD_UNCHANGED).cols).toBe(512);
    expect(readdirSync(out)).toEqual(['astronaut.png']);
  });

  it('never writes over a photo, even with --force, when another name leads to it', async () => {
    const input = tempFolder();
    cv.imwrite(join(input, 'portrait.png'), cv.imread(ASTRONAUT));
    const photo = readFileSync(join(input, 'portrait.png'));
    const out = join(input, 'masks');
    mkdirSync(out);
    symlinkSync(join(input, 'portrait.png'), join(out, 'portrait.png'));

    const result = await runCli(['segment', input, '--out', out, '--force']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^blurcam: --out would write .*masks\/portrait\.png, which is the input .*\/portrait\.png: writing it would destroy it\.\n {2}fix: /);
    expect(readFileSync(join(input, 'portrait.png')).equals(photo)).toBe(true);
  });

  it('refuses photos over the pixel limit unread, goes on with the others, and exits 1 at the end', async () => {
    const input = tempFolder();
    copyFileSync(ASTRONAUT, join(input, 'a.jpg'));
    cv.imwrite(join(input, 'b.png'), new cv.Mat(1000, 1500, cv.CV_8UC3, [20, 30, 40]));
    copyFileSync(ASTRONAUT, join(input, 'c.jpg'));
    const out = join(input, 'masks');

    const result = await runCli(['segment', input, '--out', out, '--max-megapixels', '1']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^b\.png {2}skipped: .*b\.png is 1500x1000 \(1\.5 megapixels\), over blurcam's limit of 1 megapixels\.$/m);
    expect(result.stderr).toMatch(/^blurcam: 1 of 3 photos failed: b\.png\.\n {2}fix: Scale the photo down .*--max-megapixels.* The masks of the other photos were written\.\n$/);
    expect(readdirSync(out).sort()).toEqual(['a.png', 'c.png']);
  });

  it('refuses a crafted photo whose header claims 10 gigapixels, without decoding it', async () => {
    const input = tempFolder();
    const header = Buffer.alloc(33);
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]).copy(header);
    header.write('IHDR', 12, 'latin1');
    header.writeUInt32BE(100_000, 16);
    header.writeUInt32BE(100_000, 20);
    writeFileSync(join(input, 'bomb.png'), header);
    const result = await runCli(['segment', join(input, 'bomb.png'), '--out', join(input, 'masks')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^blurcam: .*bomb\.png is 100000x100000 \(10000\.0 megapixels\), over blurcam's limit of 50 megapixels\.\n {2}fix: /);
  });

  it('stops cleanly when nobody reads its output (exit 141, no stack trace)', async () => {
    const input = tempFolder();
    copyFileSync(ASTRONAUT, join(input, 'a.jpg'));
    const run = spawnCli(['segment', input, '--out', join(input, 'masks')]);
    // As `blurcam segment ... | head -0`: the reading end of stdout is gone before blurcam writes.
    run.child.stdout?.destroy();
    expect(await run.exited).toBe(141);
    expect(run.stderr()).toBe('');
  });
});

describe('blurcam start --output FILE never destroys a file', { timeout: 180_000 }, () => {
  const dir = tempFolder();
  const recording = join(dir, 'recording.mp4');
  const start = (output: string, ...more: string[]) => runCli(['start', '--input', 'demo', '--size', '320x240', '--effect', 'none', '--output', output, '--frames', '5', ...more]);

  beforeAll(async () => {
    const first = await start(recording);
    expect(first.code).toBe(0);
  });

  it('moves a finished video into place and leaves no temporary file', () => {
    expect(new cv.VideoCapture(recording).get(cv.CAP_PROP_FRAME_COUNT)).toBe(5);
    expect(partialFiles(dir)).toEqual([]);
  });

  it('refuses an existing file without --force and replaces it with --force', async () => {
    const before = readFileSync(recording);
    const refused = await start(recording);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^blurcam: .*recording\.mp4 already exists; blurcam does not replace it\.\n {2}fix: Choose another --output, or add --force to replace it\.\n$/);
    expect(readFileSync(recording).equals(before)).toBe(true);

    const forced = await start(recording, '--force', '--frames', '8');
    expect(forced.code).toBe(0);
    expect(new cv.VideoCapture(recording).get(cv.CAP_PROP_FRAME_COUNT)).toBe(8);
    expect(partialFiles(dir)).toEqual([]);
  });

  it('never writes over its --input or --background, even with --force and under another name', async () => {
    const before = readFileSync(recording);
    const sameName = await runCli(['start', '--input', recording, '--effect', 'none', '--output', recording, '--frames', '5', '--force']);
    expect(sameName.code).toBe(1);
    expect(sameName.stderr).toMatch(/^blurcam: --output would write .*recording\.mp4, which is the input .*recording\.mp4: writing it would destroy it\.\n/);

    const hardLink = join(dir, 'same-file.mp4');
    linkSync(recording, hardLink);
    const linked = await runCli(['start', '--input', recording, '--effect', 'none', '--output', hardLink, '--frames', '5', '--force']);
    expect(linked.code).toBe(1);
    expect(linked.stderr).toMatch(/which is the input .*recording\.mp4/);

    const background = join(dir, 'beach.avi');
    copyFileSync(SPACE, background);
    const behind = await start(background, '--background', background, '--force');
    expect(behind.code).toBe(1);
    expect(behind.stderr).toMatch(/^blurcam: --output would write .*beach\.avi, which is the input .*beach\.avi/);
    expect(readFileSync(background).equals(readFileSync(SPACE))).toBe(true);
    expect(readFileSync(recording).equals(before)).toBe(true);
  });

  it('leaves no half-written video under the name when it is killed while recording', async () => {
    const target = join(dir, 'killed.mp4');
    const run = spawnCli(['start', '--input', 'demo', '--size', '320x240', '--effect', 'none', '--output', target]);
    await waitUntil('frames being written', () => partialFiles(dir).some((name) => statSync(join(dir, name)).size > 0));
    run.child.kill('SIGKILL');
    await run.exited;
    expect(existsSync(target)).toBe(false);
  });
});

describe('blurcam start with nobody reading its output', { timeout: 120_000 }, () => {
  it('stops by itself, cleanly, when stderr (its status lines) is closed', async () => {
    const run = spawnCli(['start', '--input', 'demo', '--size', '320x240', '--effect', 'none', '--output', 'null']);
    run.child.stderr?.destroy();
    const startedAt = Date.now();
    expect(await run.exited).toBe(141);
    expect(Date.now() - startedAt).toBeLessThan(60_000);
    expect(run.stdout()).toMatch(/^blurcam stopped\./);
  });

  it('ends without a stack trace when stdout is gone at Ctrl-C (blurcam start | head)', async () => {
    const run = spawnCli(['start', '--input', 'demo', '--size', '320x240', '--effect', 'none', '--output', 'null']);
    run.child.stdout?.destroy();
    await waitUntil('the first status line', () => /running: Ctrl-C stops\./.test(run.stderr()));
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(141);
    expect(run.stderr()).not.toMatch(/unexpected error|EPIPE|\n\s+at /);
  });
});
