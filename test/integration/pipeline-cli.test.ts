import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeClip } from '../../src/bench/make-clip.js';
import { cv } from '../../src/opencv.js';
import { runCli } from '../support/run-cli.js';

const CLI = fileURLToPath(new URL('../../bin/blurcam.js', import.meta.url));

describe('blurcam bench', () => {
  const dir = mkdtempSync(join(tmpdir(), 'blurcam-bench-'));
  let clip: string;

  beforeAll(() => {
    clip = makeClip(join(dir, 'person.mp4'), { seconds: 1 });
  });

  it('prints one JSON object with the figures the project follows', async () => {
    const result = await runCli(['bench', '--input', clip, '--frames', '40', '--json']);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const figures = JSON.parse(lines[0]);
    expect(figures).toMatchObject({ frames: 40, size: '1280x720', effect: 'blur', provider: 'cpu', drops: 0 });
    for (const stage of ['capture', 'segment', 'composite', 'output']) {
      expect(figures.stages[stage].p50_ms).toBeGreaterThanOrEqual(0);
      expect(figures.stages[stage].p95_ms).toBeGreaterThanOrEqual(figures.stages[stage].p50_ms);
    }
    expect(figures.total.p50_ms).toBeGreaterThan(figures.stages.segment.p50_ms);
    expect(figures.fps).toBeGreaterThan(0);
    expect(figures.peak_rss_mb).toBeGreaterThan(50);
    expect(figures.model).toMatch(/on cpu/);
  });

  it('takes its settings from the environment and the config file too', async () => {
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ effect: 'none' }));
    chmodSync(config, 0o600);
    const result = await runCli(['bench', '--frames', '5', '--json', '--size', '640x360'], { env: { BLURCAM_CONFIG: config } });
    expect(result.code).toBe(0);
    const figures = JSON.parse(result.stdout);
    expect(figures).toMatchObject({ frames: 5, effect: 'none', provider: 'none', size: '640x360' });
    expect(figures.stages.segment.p50_ms).toBeNull();

    const bad = await runCli(['bench', '--frames', '5'], { env: { BLURCAM_BLUR_STRENGTH: '2' } });
    expect(bad.code).toBe(2);
    // The message names where the value came from: the variable, not a flag the user never typed.
    expect(bad.stderr).toMatch(/^blurcam: BLURCAM_BLUR_STRENGTH="2" is out of range\.\n {2}fix: Set BLURCAM_BLUR_STRENGTH to a number from 0 to 1, or unset it\./);
  });
});

describe('blurcam start', () => {
  const dir = mkdtempSync(join(tmpdir(), 'blurcam-start-'));

  it('runs the demo into a video file for --frames frames, then prints a summary', async () => {
    const out = join(dir, 'demo.mp4');
    const result = await runCli(['start', '--input', 'demo', '--size', '640x360', '--output', out, '--frames', '20'], { timeoutMs: 120_000 });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('input: demo scene (640x360 @ 30 fps)');
    expect(result.stderr).toMatch(/model: selfie-landscape .* on cpu/);
    expect(result.stdout).toMatch(/^blurcam stopped\.\n\s+\d+ frames in .*, 20 out/);
    expect(result.stdout).toMatch(/dropped \d+: segment-busy/);
    expect(new cv.VideoCapture(out).get(cv.CAP_PROP_FRAME_COUNT)).toBe(20);
  });

  it('prints a status line every second and shuts down in order on Ctrl-C', async () => {
    const child = spawn(process.execPath, [CLI, 'start', '--input', 'demo', '--size', '640x360', '--output', 'null', '--effect', 'none'], {
      env: { ...process.env, BLURCAM_CONFIG_DIR: '/nonexistent/blurcam-test-config' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const statusLine = new Promise<void>((resolve) =>
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (/in [\d.]+ fps, out [\d.]+ fps \|/.test(stderr)) resolve();
      }),
    );
    await statusLine;
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(stderr).toMatch(/in [\d.]+ fps, out [\d.]+ fps \| capture [\d.]+\/[\d.]+, composite .*total [\d.]+\/[\d.]+ ms p50\/p95 \| dropped \d+ \| no model/);
    expect(stdout).toMatch(/^blurcam stopped\./);
  });

  it('says clearly what is wrong before it runs', async () => {
    const missing = await runCli(['start', '--input', join(dir, 'absent.mp4'), '--output', 'null']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^blurcam: --input .*absent.mp4: no such file\.\n {2}fix: /);
    const size = await runCli(['start', '--input', 'demo', '--size', '1280by720']);
    expect(size.code).toBe(2);
    expect(size.stderr).toMatch(/^blurcam: --size "1280by720" is not a frame size\./);
    const obs = await runCli(['start', '--input', 'demo', '--size', '320x240', '--obs-url', 'ws://127.0.0.1:9']);
    expect(obs.code).toBe(1);
    expect(obs.stderr).toMatch(/^blurcam: OBS does not answer at ws:\/\/127\.0\.0\.1:9 /);
    const replace = await runCli(['start', '--input', 'demo', '--effect', 'replace', '--output', 'null']);
    expect(replace.code).toBe(2);
    expect(replace.stderr).toContain('--effect replace needs an image');
  });

  it('names the missing camera on a machine without one', async () => {
    if (existsSync('/dev/video7')) return;
    const result = await runCli(['start', '--input', 'camera', '--camera', '7', '--output', 'null']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^blurcam: There is no camera 7 \(\/dev\/video7 does not exist\)\.\n {2}fix: Run "blurcam devices"/);
  });
});

describe('blurcam devices', () => {
  it('lists the cameras, or says there are none', async () => {
    const result = await runCli(['devices']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^(Cameras \(|No cameras found \()/);
    const json = await runCli(['devices', '--json']);
    expect(JSON.parse(json.stdout)).toHaveProperty('cameras');
  });
});
