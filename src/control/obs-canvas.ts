import { existsSync, readFileSync } from 'node:fs';
import { BlurcamError, describeError } from '../errors.js';
import type { ObsConnection } from './obs-connection.js';
import { replaceFile } from './replace-file.js';

/** What blurcam sends OBS: the camera's picture size and frame rate. */
export interface CameraFormat {
  width: number;
  height: number;
  fps: number;
}

/** OBS's video settings, as obs-websocket's GetVideoSettings gives them. */
export interface VideoSettings {
  baseWidth: number;
  baseHeight: number;
  outputWidth: number;
  outputHeight: number;
  fpsNumerator: number;
  fpsDenominator: number;
}

export interface MatchCanvasOptions {
  camera: CameraFormat;
  /** JSON file keeping, per OBS profile, the video settings from before blurcam first changed them. */
  backupPath: string;
  now?: Date;
}

export interface CanvasOutcome {
  /** Whether OBS's video settings were changed now. */
  changed: boolean;
  /** One line for `start`'s report. */
  line: string;
}

/**
 * Makes OBS's canvas and output the camera's size and rate, so what the Virtual Camera sends to call apps has the
 * camera's aspect with no bars (OBS's first start sizes the canvas after the screen, 16:10 on many laptops). Never
 * while an output (stream, recording, Virtual Camera, replay buffer) is active: OBS cannot change video settings
 * then, and a stream or recording must not change under the user. The settings replaced are kept in a backup.
 */
export async function matchCanvasToCamera(obs: ObsConnection, options: MatchCanvasOptions): Promise<CanvasOutcome> {
  const { width, height, fps } = options.camera;
  const current = (await obs.call('GetVideoSettings')) as VideoSettings;
  const wanted: VideoSettings = { baseWidth: width, baseHeight: height, outputWidth: width, outputHeight: height, ...fpsFraction(fps) };
  const cameraText = `the camera's ${width}x${height} at ${formatFps(wanted)} fps`;
  if (sameVideo(current, wanted)) return { changed: false, line: `OBS canvas: ${cameraText} already.` };

  const active = await activeOutputs(obs);
  if (active.length > 0) {
    const [verb, pronoun] = active.length === 1 ? ['is', 'it'] : ['are', 'them'];
    const why = `while ${active.join(', ')} ${verb} active, so it may not match ${cameraText}`;
    return { changed: false, line: `OBS canvas ${describeVideo(current)} left as is ${why}; stop ${pronoun} and start blurcam again to match.` };
  }
  const { currentProfileName } = await obs.call('GetProfileList');
  keepBackup(options.backupPath, String(currentProfileName), current, options.now ?? new Date());
  await obs.call('SetVideoSettings', { ...wanted });
  return { changed: true, line: `OBS canvas set to ${cameraText} (was ${describeVideo(current)}; the previous values are kept in ${options.backupPath}).` };
}

/** The names of OBS's outputs that are running (streaming, recording, Virtual Camera, replay buffer...). */
export async function activeOutputs(obs: ObsConnection): Promise<string[]> {
  const { outputs } = await obs.call('GetOutputList');
  return outputs.filter((output) => output.outputActive === true).map((output) => String(output.outputName));
}

export function describeVideo(video: VideoSettings): string {
  const output = video.outputWidth === video.baseWidth && video.outputHeight === video.baseHeight ? '' : ` (output ${video.outputWidth}x${video.outputHeight})`;
  return `${video.baseWidth}x${video.baseHeight}${output} at ${formatFps(video)} fps`;
}

/** A whole rate as n/1; 29.97 and the like as thousandths, which is what cameras report. */
export function fpsFraction(fps: number): Pick<VideoSettings, 'fpsNumerator' | 'fpsDenominator'> {
  return Number.isInteger(fps) ? { fpsNumerator: fps, fpsDenominator: 1 } : { fpsNumerator: Math.round(fps * 1000), fpsDenominator: 1000 };
}

function formatFps({ fpsNumerator, fpsDenominator }: Pick<VideoSettings, 'fpsNumerator' | 'fpsDenominator'>): string {
  return String(Math.round((fpsNumerator / fpsDenominator) * 100) / 100);
}

function sameVideo(a: VideoSettings, b: VideoSettings): boolean {
  return (
    a.baseWidth === b.baseWidth &&
    a.baseHeight === b.baseHeight &&
    a.outputWidth === b.outputWidth &&
    a.outputHeight === b.outputHeight &&
    Math.abs(a.fpsNumerator / a.fpsDenominator - b.fpsNumerator / b.fpsDenominator) < 0.01
  );
}

/**
 * Records the profile's settings unless the backup already holds that profile's: the first values are the
 * user's own, later ones may be blurcam's.
 */
function keepBackup(path: string, profile: string, video: VideoSettings, now: Date): void {
  let before: string | undefined;
  let backup: Record<string, unknown> = {};
  try {
    before = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
    const parsed: unknown = before === undefined ? {} : JSON.parse(before);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) backup = parsed as Record<string, unknown>;
  } catch (error) {
    throw new BlurcamError(
      'BAD_CONFIG_FILE',
      `The backup of OBS's video settings ${path} cannot be read: ${describeError(error)}.`,
      'Move that file away (it holds canvas sizes only), then start blurcam again.',
      { cause: error },
    );
  }
  if (profile in backup) return;
  const { baseWidth, baseHeight, outputWidth, outputHeight, fpsNumerator, fpsDenominator } = video;
  backup[profile] = { savedAt: now.toISOString(), baseWidth, baseHeight, outputWidth, outputHeight, fpsNumerator, fpsDenominator };
  replaceFile(path, before, `${JSON.stringify(backup, null, 2)}\n`, { secret: false, now });
}
