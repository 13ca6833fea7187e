import { setTimeout as sleep } from 'node:timers/promises';
import { BlurcamError } from '../errors.js';
import { type ObsConnection, obsStatusCode } from './obs-connection.js';

/** obs-websocket status codes: the output does not exist on this OBS / is already running. */
const RESOURCE_NOT_AVAILABLE = 604;
const OUTPUT_RUNNING = 500;
const POLL_INTERVAL_MS = 100;

export interface VirtualCameraOptions {
  /** Decides the fix the error suggests, and whether a start that does not take is tried again. */
  platform?: NodeJS.Platform;
  /** How long the Virtual Camera may take to report itself active after a start request. */
  confirmTimeoutMs?: number;
  /**
   * macOS: start requests after the first one that did not take. OBS asks macOS to activate its camera extension
   * each time it starts, and until that answer arrives a start fails; a few seconds later it works.
   */
  retries?: number;
  /** Wait before the first retry; it doubles for each further one. */
  retryDelayMs?: number;
}

const MACOS_RETRIES = 2;
const RETRY_DELAY_MS = 2_000;

/**
 * Starts OBS's Virtual Camera, or finds it running. StartVirtualCam answers before the output runs (and on
 * macOS the camera extension may still be activating or waiting for approval), so success means
 * GetVirtualCamStatus says so; on macOS a start that did not take is requested again a few times (each failed
 * start also shows an error dialog in OBS, so only a few). Throws VIRTUALCAM_UNAVAILABLE with the fix for this
 * platform.
 */
export async function startVirtualCamera(obs: ObsConnection, options: VirtualCameraOptions = {}): Promise<'started' | 'already running'> {
  const platform = options.platform ?? process.platform;
  if (await isActive(obs, platform)) return 'already running';
  const attempts = 1 + (options.retries ?? (platform === 'darwin' ? MACOS_RETRIES : 0));
  let delayMs = options.retryDelayMs ?? RETRY_DELAY_MS;
  for (let attempt = 1; ; attempt++) {
    if (await requestStart(obs, platform, options.confirmTimeoutMs ?? 5_000)) return 'started';
    if (attempt === attempts) break;
    await sleep(delayMs);
    delayMs *= 2;
    // The user (or OBS) may have started it meanwhile.
    if (await isActive(obs, platform)) return 'started';
  }
  const tries = attempts === 1 ? '' : ` (${attempts} requests)`;
  throw new BlurcamError(
    'VIRTUALCAM_UNAVAILABLE',
    platform === 'darwin'
      ? `OBS accepted the request${tries} but its Virtual Camera did not start: its camera extension is not approved, or still activating.`
      : `OBS accepted the request${tries} but its Virtual Camera did not start.`,
    platform === 'darwin'
      ? `${MACOS_CAMERA_EXTENSION_FIX} Close the error dialogs OBS shows, too.`
      : "Look for a dialog in OBS, and for 'virtualcam' lines in its log (Help > Log Files).",
  );
}

/** One StartVirtualCam, then GetVirtualCamStatus until it says active (true) or the time is up (false). */
async function requestStart(obs: ObsConnection, platform: NodeJS.Platform, confirmTimeoutMs: number): Promise<boolean> {
  try {
    await obs.call('StartVirtualCam');
  } catch (error) {
    const code = obsStatusCode(error);
    if (code === RESOURCE_NOT_AVAILABLE) throw virtualCameraUnavailable(platform, error);
    // Started by someone else between our two requests: what we wanted.
    if (code !== OUTPUT_RUNNING) throw error;
  }
  const deadline = Date.now() + confirmTimeoutMs;
  while (!(await isActive(obs, platform))) {
    if (Date.now() > deadline) return false;
    await sleep(POLL_INTERVAL_MS);
  }
  return true;
}

async function isActive(obs: ObsConnection, platform: NodeJS.Platform): Promise<boolean> {
  try {
    return (await obs.call('GetVirtualCamStatus')).outputActive;
  } catch (error) {
    if (obsStatusCode(error) === RESOURCE_NOT_AVAILABLE) throw virtualCameraUnavailable(platform, error);
    throw error;
  }
}

/** How to approve OBS's camera extension on macOS (doctor says it too). */
export const MACOS_CAMERA_EXTENSION_FIX =
  'Approve the OBS camera extension: start the Virtual Camera once in OBS, then allow it in System Settings > General > Login Items & Extensions > Camera Extensions (macOS 15; Privacy & Security before), and restart OBS (see docs/setup-macos.md).';

/** VIRTUALCAM_UNAVAILABLE for obs-websocket's code 604, with this platform's fix. */
export function virtualCameraUnavailable(platform: NodeJS.Platform, cause: unknown): BlurcamError {
  if (platform === 'linux') {
    return new BlurcamError(
      'VIRTUALCAM_UNAVAILABLE',
      "OBS's Virtual Camera is not available: the v4l2loopback kernel module is not loaded.",
      'Run `sudo apt install v4l2loopback-dkms && sudo modprobe v4l2loopback exclusive_caps=1 card_label="OBS Virtual Camera"`, then restart OBS (see docs/setup-linux.md).',
      { cause },
    );
  }
  if (platform === 'darwin') {
    return new BlurcamError(
      'VIRTUALCAM_UNAVAILABLE',
      "OBS's Virtual Camera is not available: its camera extension is not installed or not approved.",
      MACOS_CAMERA_EXTENSION_FIX,
      { cause },
    );
  }
  return new BlurcamError(
    'VIRTUALCAM_UNAVAILABLE',
    "OBS's Virtual Camera is not available on this system.",
    "Check OBS's log (Help > Log Files) for 'virtualcam' lines.",
    { cause },
  );
}
