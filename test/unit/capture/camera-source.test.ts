import { describe, expect, it } from 'vitest';
import { CameraSource, explainOpenFailure, type CameraEvent, type CaptureDevice, type CameraSourceOptions } from '../../../src/capture/camera-source.js';
import type { DeviceListing } from '../../../src/capture/devices.js';
import { cv, type Mat } from '../../../src/opencv.js';
import { expectBlurcamError, expectFailure } from '../../support/expect-blurcam-error.js';

type Step = 'frame' | 'empty' | 'hang' | 'throw';

/** A fake camera that follows a script of reads; after the script it repeats the last step. */
class FakeCamera implements CaptureDevice {
  readonly properties = new Map<number, number>();
  released = false;
  reads = 0;
  private hung: Array<(frame: Mat) => void> = [];

  constructor(
    private readonly script: Step[],
    private readonly width = 640,
    private readonly height = 480,
  ) {}

  readAsync(): Promise<Mat> {
    if (this.released) return Promise.reject(new Error('read after release'));
    const step = this.script[Math.min(this.reads++, this.script.length - 1)];
    if (step === 'frame') return Promise.resolve(new cv.Mat(this.height, this.width, cv.CV_8UC3, [10, 20, 30]));
    if (step === 'empty') return Promise.resolve(new cv.Mat());
    if (step === 'throw') return Promise.reject(new Error('VIDIOC_DQBUF: No such device'));
    return new Promise((resolve) => this.hung.push(resolve));
  }

  /** Reads that have not returned. */
  get hanging(): number {
    return this.hung.length;
  }

  /** Lets hung reads return (with an empty frame, like a camera that went away). */
  unhang(): void {
    for (const resolve of this.hung.splice(0)) resolve(new cv.Mat());
  }

  get(property: number): number {
    return property === cv.CAP_PROP_FPS ? 30 : (this.properties.get(property) ?? 0);
  }

  set(property: number, value: number): boolean {
    this.properties.set(property, value);
    return true;
  }

  release(): void {
    this.released = true;
  }
}

const NO_CAMERAS: DeviceListing = { cameras: [], method: 'test' };

function options(cameras: FakeCamera[], overrides: Partial<CameraSourceOptions> = {}): CameraSourceOptions {
  let opened = 0;
  return {
    index: 0,
    width: 1280,
    height: 720,
    fps: 30,
    platform: 'linux',
    firstFrameTimeoutMs: 200,
    lostAfterMs: 100,
    retryDelaysMs: [10],
    listCameras: async () => ({ cameras: [{ index: 0, name: 'Test Cam', detail: '/dev/video0', isOwnOutput: false }], method: 'test' }),
    openDevice: () => {
      const camera = cameras[opened++];
      if (!camera) throw new Error('failed to open capture');
      return camera;
    },
    probeDevicePath: () => ({ exists: true }),
    ...overrides,
  };
}

describe('CameraSource', () => {
  it('asks for the size and rate, and reports what the camera really gives', async () => {
    const camera = new FakeCamera(['frame']);
    const source = await CameraSource.open(options([camera]));
    expect(camera.properties.get(cv.CAP_PROP_FRAME_WIDTH)).toBe(1280);
    expect(camera.properties.get(cv.CAP_PROP_FRAME_HEIGHT)).toBe(720);
    expect(camera.properties.get(cv.CAP_PROP_FPS)).toBe(30);
    expect([source.width, source.height, source.fps]).toEqual([640, 480, 30]);
    expect(source.description).toBe('camera 0 "Test Cam" (640x480 @ 30 fps)');
    const first = await source.read();
    const second = await source.read();
    expect([first.seq, second.seq]).toEqual([0, 1]);
    expect(second.captureTimeNs).toBeGreaterThan(first.captureTimeNs);
    await source.close();
    expect(camera.released).toBe(true);
  });

  it('refuses OBS Virtual Camera as its input', async () => {
    const listCameras = async (): Promise<DeviceListing> => ({
      cameras: [{ index: 0, name: 'OBS Virtual Camera', detail: '/dev/video0', isOwnOutput: true }],
      method: 'test',
    });
    await expectFailure(() => CameraSource.open(options([new FakeCamera(['frame'])], { listCameras })), 'BAD_OPTION', /--camera 0 is "OBS Virtual Camera"/);
  });

  it('fails with CAMERA_NO_FRAMES when the camera opens but gives nothing in time', async () => {
    const silent = new FakeCamera(['hang']);
    const error = await expectFailure(() => CameraSource.open(options([silent], { firstFrameTimeoutMs: 50 })), 'CAMERA_NO_FRAMES', /gave no frame within 50 ms/);
    expect(error.message).toContain('Camera 0 "Test Cam"');
    // The hung read must end before the camera is let go.
    expect(silent.released).toBe(false);
    silent.unhang();
    await new Promise((resolve) => setImmediate(resolve));
    expect(silent.released).toBe(true);
    await expectFailure(() => CameraSource.open(options([new FakeCamera(['empty'])])), 'CAMERA_NO_FRAMES', /opened but gives no frames/);
  });

  it('tells the user where to allow camera access on macOS when the camera would not open', async () => {
    const error = await expectFailure(
      () => CameraSource.open(options([], { platform: 'darwin', listCameras: async () => NO_CAMERAS })),
      'CAMERA_NOT_FOUND',
      /There is no camera 0: macOS lists no camera/,
    );
    expect(error.hint).toMatch(/blurcam devices/);
    const denied = await expectFailure(
      () =>
        CameraSource.open(
          options([], {
            platform: 'darwin',
            listCameras: async () => ({ cameras: [{ index: 0, name: 'FaceTime HD Camera', detail: 'x', isOwnOutput: false }], method: 'test' }),
          }),
        ),
      'CAMERA_PERMISSION',
      /Camera 0 could not be opened: camera access is probably not allowed/,
    );
    expect(denied.hint).toBe('System Settings > Privacy & Security > Camera: allow your terminal app, then run blurcam again.');
  });

  it('reports a lost camera, keeps trying, and carries on when it is back', async () => {
    const events: CameraEvent[] = [];
    const unplugged = new FakeCamera(['frame', 'frame', 'empty']);
    const replugged = new FakeCamera(['frame']);
    const source = await CameraSource.open(options([unplugged, new FakeCamera(['empty']), replugged], { onEvent: (event) => events.push(event) }));
    await source.read();
    await source.read();
    const afterLoss = await source.read();
    expect(afterLoss.seq).toBe(2);
    expect(events.map((event) => event.kind)).toEqual(['lost', 'recovered']);
    const lost = events[0];
    if (lost.kind !== 'lost') throw new Error('expected a lost event');
    expectBlurcamError(lost.error, 'CAMERA_LOST', /Camera 0 "Test Cam" stopped giving frames \(it returns empty frames\)/);
    expect(unplugged.released).toBe(true);
    await source.close();
    expect(replugged.released).toBe(true);
  });

  it('lets go of the camera on release() and opens it again on the next read, quietly', async () => {
    const events: CameraEvent[] = [];
    const first = new FakeCamera(['frame']);
    const second = new FakeCamera(['frame']);
    const source = await CameraSource.open(options([first, second], { onEvent: (event) => events.push(event) }));
    await source.read();
    await source.release();
    // Released: its light goes off while nothing shows blurcam.
    expect(first.released).toBe(true);
    const next = await source.read();
    expect(next.seq).toBe(1);
    expect(second.reads).toBeGreaterThan(0);
    expect(events).toEqual([]);
    await source.close();
  });

  it('counts a camera that hangs as lost, and closes without waiting for it forever', async () => {
    const events: CameraEvent[] = [];
    const hanging = new FakeCamera(['frame', 'hang']);
    const source = await CameraSource.open(options([hanging], { onEvent: (event) => events.push(event) }));
    await source.read();
    const reading = source.read();
    reading.catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(events.map((event) => event.kind)).toEqual(['lost']);
    const lost = events[0];
    if (lost.kind === 'lost') expect(lost.error.message).toMatch(/no frame for 100 ms/);
    const startedAt = Date.now();
    await source.close();
    expect(Date.now() - startedAt).toBeLessThan(1500);
    await expect(reading).rejects.toThrow();
    expect(hanging.released).toBe(false);
    hanging.unhang();
    await new Promise((resolve) => setImmediate(resolve));
    expect(hanging.released).toBe(true);
  });
});

describe('CameraSource with a driver that hangs', () => {
  it('keeps at most one read in flight while it tries to get the camera back, so hung reads cannot take every worker thread', async () => {
    const events: CameraEvent[] = [];
    const cameras = [new FakeCamera(['frame', 'hang']), ...Array.from({ length: 60 }, () => new FakeCamera(['hang']))];
    const source = await CameraSource.open(options(cameras, { firstFrameTimeoutMs: 20, lostAfterMs: 50, retryDelaysMs: [5], onEvent: (event) => events.push(event) }));
    await source.read();
    const reading = source.read();
    reading.catch(() => undefined);
    const hangingReads = () => cameras.reduce((count, camera) => count + camera.hanging, 0);
    const opened = () => cameras.filter((camera) => camera.reads > 0).length;

    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(events.map((event) => event.kind)).toEqual(['lost']);
    if (events[0].kind === 'lost') expectBlurcamError(events[0].error, 'CAMERA_LOST', /Camera 0 "Test Cam" stopped giving frames \(no frame for 50 ms\)/);
    expect(hangingReads()).toBe(1);
    expect(opened()).toBe(1);

    // Once the hung read returns, reopening goes on; the next camera hangs too, and again only its read is pending.
    cameras[0].unhang();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(opened()).toBe(2);
    expect(hangingReads()).toBe(1);

    const startedAt = Date.now();
    await source.close();
    expect(Date.now() - startedAt).toBeLessThan(1500);
    await expect(reading).rejects.toThrow();
  });
});

describe('explainOpenFailure', () => {
  it('tells a missing, a forbidden and a busy Linux camera apart', () => {
    expectBlurcamError(explainOpenFailure({ index: 3, platform: 'linux', devicePath: { exists: false } }), 'CAMERA_NOT_FOUND', /There is no camera 3 \(\/dev\/video3 does not exist\)/);
    const forbidden = expectBlurcamError(
      explainOpenFailure({ index: 0, platform: 'linux', devicePath: { exists: true, accessError: 'EACCES' } }),
      'CAMERA_PERMISSION',
      /Not allowed to open camera 0/,
    );
    expect(forbidden.hint).toMatch(/usermod -aG video/);
    const busy = expectBlurcamError(explainOpenFailure({ index: 0, platform: 'linux', devicePath: { exists: true } }), 'CAMERA_BUSY', /another app is probably using it/);
    expect(busy.hint).toMatch(/fuser -v \/dev\/video0/);
  });

  it('falls back to a plain message where the platform tells nothing', () => {
    expectBlurcamError(explainOpenFailure({ index: 1, platform: 'win32' }), 'CAMERA_NOT_FOUND', /Camera 1 could not be opened/);
  });
});
