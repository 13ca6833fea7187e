/**
 * What the plugin tests share: the pattern sender process ("blurcam"), screenshots of the source read
 * back with OpenCV, and polling for a condition instead of sleeping (the machine is loaded and slow).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ObsConnection } from '../../src/control/obs-connection.js';
import { cv, type Mat } from '../../src/opencv.js';
import { type PluginSourceStats, readPluginStats } from '../../src/control/plugin-stats.js';

const repoDir = resolve(import.meta.dirname, '..', '..');

/** Four RRGGBB colours: top-left, top-right, bottom-left, bottom-right. */
export type Pattern = [string, string, string, string];
export const PATTERN_A: Pattern = ['ff0000', '00ff00', '0000ff', 'ffffff'];
export const PATTERN_B: Pattern = ['ffff00', '00ffff', 'ff00ff', '808080'];

/** Builds the plugin and checks the sender the pattern process imports from dist/ is there. */
export function preparePluginTests(): void {
  execFileSync(join(repoDir, 'scripts', 'build-plugin.sh'), ['--warnings-as-errors'], { stdio: 'pipe' });
  if (!existsSync(join(repoDir, 'dist', 'transport', 'zmq-frame-sender.js'))) {
    throw new Error('dist/ is not built: run `npm run build` (npm test does it) before the OBS plugin tests');
  }
}

export interface PatternSender {
  readonly child: ChildProcess;
  /** SIGTERM: the sender closes its socket and exits. */
  stop(): Promise<void>;
  /** SIGKILL: a crash. */
  kill(): Promise<void>;
}

/**
 * Starts the pattern sender. Over tcp it needs the keys of the OBS it sends to: `keyDir`, that OBS's blurcam
 * settings folder (configDir(obs.env)).
 */
export function startPatternSender(endpoint: string, pattern: Pattern, fps = 30, size = '1280x720', keyDir?: string): PatternSender {
  const script = join(repoDir, 'test', 'obs', 'plugin-pattern-sender.mjs');
  const env = { ...process.env, ...(keyDir ? { BLURCAM_CONFIG_DIR: keyDir } : {}) };
  const child = spawn(process.execPath, [script, endpoint, pattern.join(','), String(fps), size], { stdio: ['ignore', 'pipe', 'inherit'], env });
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return { child, stop: () => end('SIGTERM'), kill: () => end('SIGKILL') };
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    await new Promise((resolveWait) => setTimeout(resolveWait, 200));
  }
}

/** The source as OBS renders it, scaled to `width`, decoded by OpenCV (BGR). */
export async function screenshot(obs: ObsConnection, sourceName: string, width: number): Promise<Mat> {
  const { imageData } = await obs.call('GetSourceScreenshot', { sourceName, imageFormat: 'png', imageWidth: width });
  const png = Buffer.from(imageData.slice(imageData.indexOf(',') + 1), 'base64');
  return cv.imdecode(png);
}

function hexColour(hex: string): number[] {
  return [0, 2, 4].map((at) => parseInt(hex.slice(at, at + 2), 16));
}

/** Whether the centre of each quarter of the screenshot has the pattern's colour (within `tolerance`). */
export function showsPattern(image: Mat, pattern: Pattern, tolerance = 40): boolean {
  const points = [
    [0.25, 0.25],
    [0.75, 0.25],
    [0.25, 0.75],
    [0.75, 0.75],
  ];
  return points.every(([fx, fy], quarter) => {
    const [b, g, r] = image.atRaw(Math.floor(image.rows * fy), Math.floor(image.cols * fx)) as unknown as number[];
    const expected = hexColour(pattern[quarter]);
    return [r, g, b].every((value, channel) => Math.abs(value - expected[channel]) <= tolerance);
  });
}

/** The "blurcam is not running" placeholder: almost all dark grey, with some light text, nothing else. */
export function showsPlaceholder(image: Mat): boolean {
  const grey = image.cvtColor(cv.COLOR_BGR2GRAY);
  const pixels = grey.rows * grey.cols;
  const dark = pixels - grey.threshold(0x40, 255, cv.THRESH_BINARY).countNonZero();
  const light = grey.threshold(0xa0, 255, cv.THRESH_BINARY).countNonZero();
  const colourful = image.absdiff(grey.cvtColor(cv.COLOR_GRAY2BGR)).cvtColor(cv.COLOR_BGR2GRAY).threshold(30, 255, cv.THRESH_BINARY).countNonZero();
  return dark / pixels > 0.8 && light / pixels > 0.003 && colourful === 0;
}

export async function sourceStats(obs: ObsConnection, sourceName: string): Promise<PluginSourceStats> {
  const [stats] = await readPluginStats(obs, { sourceName });
  if (!stats) throw new Error(`the plugin reports no source named "${sourceName}"`);
  return stats;
}
