import { setTimeout as sleep } from 'node:timers/promises';
import { BlurcamError } from '../errors.js';
import { type ObsConnection, obsStatusCode } from './obs-connection.js';

/** obs-websocket status codes: the output does not exist on this OBS / is already running. */
const RESOURCE_NOT_AVAILABLE = 604;
const OUTPUT_RUNNING = 500;
const POLL_INTERVAL_MS = 100;

export interface VirtualCameraOptions {
  /** Decides the fix the error suggests. */
  platform?: NodeJS.Platform;
  /** How long the Virtual Camera may take to report itself active after the start request. */
  confirmTimeoutMs?: number;
}

/**
 * Starts OBS's Virtual Camera, or finds it running. StartVirtualCam answers before the output runs (and on
 * macOS the camera extension may still be waiting for approval), so success means GetVirtualCamStatus says so.
 * Throws VIRTUALCAM_UNAVAILABLE with the fix for this platform.
 */
export async function startVirtualCamera(obs: ObsConnection, options: VirtualCameraOptions = {}): Promise<'started' | 'already running'> {
  const platform = options.platform ?? process.platform;
  if (await isActive(obs, platform)) return 'already running';
  try {
    await obs.call('StartVirtualCam');
  } catch (error) {
    const code = obsStatusCode(error);
    if (code === RESOURCE_NOT_AVAILABLE) throw unavailable(platform, error);
    // Started by someone else between our two requests: what we wanted.
    if (code !== OUTPUT_RUNNING) throw error;
  }
  const deadline = Date.now() + (options.confirmTimeoutMs ?? 5_000);
  while (!(await isActive(obs, platform))) {
    if (Date.now() > deadline) {
      throw new BlurcamError(
        'VIRTUALCAM_UNAVAILABLE',
        "OBS accepted the request but its Virtual Camera did not start.",
        platform === 'darwin'
          ? `${MACOS_FIX} Look for a dialog in OBS, too.`
          : "Look for a dialog in OBS, and for 'virtualcam' lines in its log (Help > Log Files).",
      );
    }
    await sleep(POLL_INTERVAL_MS);
  }
  return 'started';
}

async function isActive(obs: ObsConnection, platform: NodeJS.Platform): Promise<boolean> {
  try {
    return (await obs.call('GetVirtualCamStatus')).outputActive;
  } catch (error) {
    if (obsStatusCode(error) === RESOURCE_NOT_AVAILABLE) throw unavailable(platform, error);
    throw error;
  }
}

const MACOS_FIX =
  'Approve the OBS camera extension: start the Virtual Camera once in OBS, then allow it in System Settings > General > Login Items & Extensions > Camera Extensions (macOS 15; Privacy & Security before), and restart OBS (see docs/setup-macos.md).';

function unavailable(platform: NodeJS.Platform, cause: unknown): BlurcamError {
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
      MACOS_FIX,
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
