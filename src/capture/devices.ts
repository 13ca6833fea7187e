import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';

/** One camera as `--camera` sees it. */
export interface CameraDevice {
  /** What `--camera` takes (OpenCV's index). */
  index: number;
  name: string;
  /** Where it was found: /dev/videoN on Linux, the device ID on macOS. */
  detail: string;
  /** OBS's Virtual Camera: blurcam's own output, so choosing it as input would feed the output back in. */
  isOwnOutput: boolean;
  /** Why this entry is probably not a picture source (Linux lists metadata nodes too). */
  caveat?: string;
}

export interface DeviceListing {
  cameras: CameraDevice[];
  /** How the list was made and how far to trust its indices, in a sentence for the user. */
  method: string;
  /** Set when this platform cannot list cameras at all, saying what to do instead. */
  unavailable?: string;
}

/** What listing needs from the system, replaceable in tests. */
export interface DeviceProbes {
  platform: NodeJS.Platform;
  listDir(path: string): string[];
  readText(path: string): string | undefined;
  run(command: string, args: string[]): Promise<string>;
}

const execFileAsync = promisify(execFile);

export const systemProbes: DeviceProbes = {
  platform: process.platform,
  listDir: (path) => {
    try {
      return readdirSync(path);
    } catch {
      return [];
    }
  },
  readText: (path) => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  },
  run: async (command, args) => (await execFileAsync(command, args, { timeout: 15_000, maxBuffer: 4 * 1024 * 1024 })).stdout,
};

/** OBS names its Virtual Camera this way on macOS and Linux (v4l2loopback card label). */
export function isOwnOutputName(name: string): boolean {
  return /obs[ -]?virtual[ -]?cam/i.test(name);
}

/** The cameras this platform can list, in the order `--camera` counts them. */
export async function listDevices(probes: DeviceProbes = systemProbes): Promise<DeviceListing> {
  if (probes.platform === 'linux') return listLinux(probes);
  if (probes.platform === 'darwin') return listMac(probes);
  return {
    cameras: [],
    method: 'none',
    unavailable: `Listing cameras is not available on ${probes.platform}: try --camera 0, then 1, 2...`,
  };
}

/** Linux: OpenCV's index N is /dev/videoN; the kernel names each node in sysfs. */
function listLinux(probes: DeviceProbes): DeviceListing {
  const cameras = probes
    .listDir('/dev')
    .map((entry) => /^video(\d+)$/.exec(entry))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => Number(match[1]))
    .sort((a, b) => a - b)
    .map((index): CameraDevice => {
      const sysfs = `/sys/class/video4linux/video${index}`;
      const name = probes.readText(`${sysfs}/name`)?.trim() || `video${index}`;
      // A UVC camera makes two nodes; the second (sysfs index 1) carries metadata, not pictures.
      const nodeIndex = probes.readText(`${sysfs}/index`)?.trim();
      return {
        index,
        name,
        detail: `/dev/video${index}`,
        isOwnOutput: isOwnOutputName(name),
        caveat: nodeIndex && nodeIndex !== '0' ? 'probably a metadata node of the camera above, not a picture' : undefined,
      };
    });
  return { cameras, method: 'Linux video devices (/dev/video*, names from /sys/class/video4linux)' };
}

/**
 * macOS: system_profiler names the cameras; OpenCV's AVFoundation backend numbers them by sorting on the device's
 * unique ID, so sorting the same way gives the indices (best effort: the IDs system_profiler shows can differ from
 * AVFoundation's for some USB cameras).
 */
async function listMac(probes: DeviceProbes): Promise<DeviceListing> {
  let output: string;
  try {
    output = await probes.run('system_profiler', ['SPCameraDataType', '-json']);
  } catch {
    return { cameras: [], method: 'system_profiler', unavailable: 'system_profiler could not list the cameras: try --camera 0, then 1, 2...' };
  }
  return {
    cameras: parseCameraProfile(output),
    method: 'system_profiler SPCameraDataType, sorted by device ID as OpenCV does (if the picture is not the camera you expected, try the next index)',
  };
}

/** Reads `system_profiler SPCameraDataType -json` into cameras numbered as OpenCV's AVFoundation backend does. */
export function parseCameraProfile(json: string): CameraDevice[] {
  let entries: unknown;
  try {
    entries = (JSON.parse(json) as { SPCameraDataType?: unknown }).SPCameraDataType;
  } catch {
    return [];
  }
  if (!Array.isArray(entries)) return [];
  return entries
    .filter((entry): entry is Record<string, unknown> => typeof entry === 'object' && entry !== null)
    .map((entry) => ({ name: String(entry._name ?? 'camera'), id: String(entry['spcamera_unique-id'] ?? '') }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map(({ name, id }, index) => ({ index, name, detail: id, isOwnOutput: isOwnOutputName(name) }));
}
