import { describe, expect, it } from 'vitest';
import { isOwnOutputName, listDevices, parseCameraProfile, type DeviceProbes } from '../../../src/capture/devices.js';

function probes(overrides: Partial<DeviceProbes>): DeviceProbes {
  return { platform: 'linux', listDir: () => [], readText: () => undefined, run: async () => '', ...overrides };
}

/** What `system_profiler SPCameraDataType -json` prints on a Mac with a built-in camera, a webcam and OBS. */
const MAC_PROFILE = JSON.stringify({
  SPCameraDataType: [
    { _name: 'Logi C920', 'spcamera_model-id': 'UVC Camera VendorID_1133 ProductID_2093', 'spcamera_unique-id': '0x14100000046d082d' },
    { _name: 'FaceTime HD Camera', 'spcamera_model-id': 'FaceTime HD Camera', 'spcamera_unique-id': '3F45E80A-0176-46F7-B185-BB9E2C0E82E3' },
    { _name: 'OBS Virtual Camera', 'spcamera_model-id': 'OBS Virtual Camera', 'spcamera_unique-id': '7626645E-4425-469E-9D8B-97E0FA59AC75' },
  ],
});

describe('listDevices', () => {
  it('lists /dev/video* on Linux with their names, flagging metadata nodes and OBS Virtual Camera', async () => {
    const sysfs: Record<string, string> = {
      '/sys/class/video4linux/video0/name': 'Integrated Camera: Integrated C\n',
      '/sys/class/video4linux/video0/index': '0\n',
      '/sys/class/video4linux/video1/name': 'Integrated Camera: Integrated C\n',
      '/sys/class/video4linux/video1/index': '1\n',
      '/sys/class/video4linux/video2/name': 'OBS Virtual Camera\n',
      '/sys/class/video4linux/video2/index': '0\n',
    };
    const listing = await listDevices(
      probes({ listDir: (path) => (path === '/dev' ? ['video10', 'null', 'video2', 'video0', 'video1', 'videofoo'] : []), readText: (path) => sysfs[path] }),
    );
    expect(listing.cameras.map((camera) => [camera.index, camera.name, camera.detail])).toEqual([
      [0, 'Integrated Camera: Integrated C', '/dev/video0'],
      [1, 'Integrated Camera: Integrated C', '/dev/video1'],
      [2, 'OBS Virtual Camera', '/dev/video2'],
      [10, 'video10', '/dev/video10'],
    ]);
    expect(listing.cameras.map((camera) => camera.isOwnOutput)).toEqual([false, false, true, false]);
    expect(listing.cameras[1].caveat).toMatch(/metadata/);
    expect(listing.cameras[0].caveat).toBeUndefined();
    expect(listing.unavailable).toBeUndefined();
  });

  it('numbers Mac cameras in the order OpenCV does (by device ID)', async () => {
    let asked: string[] = [];
    const listing = await listDevices(
      probes({
        platform: 'darwin',
        run: async (command, args) => {
          asked = [command, ...args];
          return MAC_PROFILE;
        },
      }),
    );
    expect(asked).toEqual(['system_profiler', 'SPCameraDataType', '-json']);
    expect(listing.cameras.map((camera) => [camera.index, camera.name, camera.isOwnOutput])).toEqual([
      [0, 'Logi C920', false],
      [1, 'FaceTime HD Camera', false],
      [2, 'OBS Virtual Camera', true],
    ]);
    expect(listing.method).toMatch(/sorted by device ID/);
  });

  it('says plainly when cameras cannot be listed', async () => {
    const failing = await listDevices(probes({ platform: 'darwin', run: async () => Promise.reject(new Error('not found')) }));
    expect(failing.cameras).toEqual([]);
    expect(failing.unavailable).toMatch(/could not list the cameras: try --camera 0/);
    const windows = await listDevices(probes({ platform: 'win32' }));
    expect(windows.unavailable).toMatch(/not available on win32/);
  });

  it('ignores output that is not a camera profile', () => {
    expect(parseCameraProfile('not json')).toEqual([]);
    expect(parseCameraProfile('{"SPCameraDataType": 3}')).toEqual([]);
  });

  it('recognises OBS Virtual Camera by name', () => {
    expect(isOwnOutputName('OBS Virtual Camera')).toBe(true);
    expect(isOwnOutputName('obs-virtualcam')).toBe(true);
    expect(isOwnOutputName('FaceTime HD Camera')).toBe(false);
  });
});
