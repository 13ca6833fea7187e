/** The links on this machine before OBS: Node, the OpenCV binding, the native pixel loops, the models and their provider, the camera. */
import { existsSync } from 'node:fs';
import { listDevices } from '../capture/devices.js';
import { describeError } from '../errors.js';
import { NATIVE_BUILD_FIX, type NativePixelsState } from '../native/native-pixels.js';
import { BUNDLED_MODELS, DEFAULT_MODELS_DIR, resolveModelFile } from '../segment/model-files.js';
import { type Check, type LinkResult, ok, problem, problemFrom, skipped } from './check.js';

/** package.json's engines field: yargs 18 needs 20.19. */
export const MIN_NODE_VERSION = [20, 19] as const;

/** Whether a Node version string ("v20.20.0") is at least MIN_NODE_VERSION. */
export function nodeVersionSupported(version: string): boolean {
  const [major, minor] = version.replace(/^v/, '').split('.').map(Number);
  return major > MIN_NODE_VERSION[0] || (major === MIN_NODE_VERSION[0] && minor >= MIN_NODE_VERSION[1]);
}

export const nodeCheck: Check = {
  link: 'node',
  async run() {
    const wanted = MIN_NODE_VERSION.join('.');
    if (nodeVersionSupported(process.version)) return ok(`Node ${process.version} (${process.platform}/${process.arch}).`);
    return problem(`Node ${process.version} is older than the ${wanted} blurcam needs.`, `Install Node ${wanted} or newer (macOS: brew install node; Linux: docs/setup-linux.md).`);
  },
};

export const opencvCheck: Check = {
  link: 'opencv',
  async run() {
    try {
      const { cv } = await import('../opencv.js');
      return ok(`The OpenCV binding loads (OpenCV ${cv.version.major}.${cv.version.minor}.${cv.version.revision}).`);
    } catch (error) {
      return problem(
        `The OpenCV binding does not load: ${describeError(error).split('\n')[0]}`,
        'Install OpenCV (macOS: brew install opencv; Debian: apt install libopencv-dev) and rebuild the binding ' +
          '(`npm rebuild @u4/opencv4nodejs` with OPENCV4NODEJS_DISABLE_AUTOBUILD=1): scripts/install-obs.sh does both.',
      );
    }
  },
};

/** The compositor's native pixel loops are built and load (without them frames are composited more slowly). */
export const pixelLoopsCheck: Check = {
  link: 'native-pixels',
  async run() {
    const { nativePixels } = await import('../native/native-pixels.js');
    return pixelLoopsResult(nativePixels);
  },
};

/** What the doctor says of the native pixel loops in this state: turned off on purpose is fine, missing is not. */
export function pixelLoopsResult(state: NativePixelsState): Omit<LinkResult, 'link'> {
  if (state.pixels) return ok('The native pixel loops load: frames are composited in C.');
  if (state.turnedOff) return ok(`The native pixel loops are ${state.reason}: frames are composited in JavaScript.`);
  return problem(
    `The native pixel loops are ${state.reason}; frames are composited in JavaScript, about 0.5 ms a 720p frame slower.`,
    `${NATIVE_BUILD_FIX[0].toUpperCase()}${NATIVE_BUILD_FIX.slice(1)}.`,
  );
}

/** Both bundled models exist; the one `start` would use loads, and says which execution provider runs it. */
export const modelCheck: Check = {
  link: 'model',
  async run(context) {
    const missing = Object.values(BUNDLED_MODELS)
      .map((model) => model.file)
      .filter((file) => !existsSync(`${DEFAULT_MODELS_DIR}${file}`));
    if (missing.length > 0) return problem(`The converted models are missing (${missing.join(', ')} in ${DEFAULT_MODELS_DIR}).`, 'Run `npm run models` in the blurcam folder.');
    const { OnnxModel } = await import('../segment/onnx-session.js');
    const file = resolveModelFile(context.options.model, 'video', context.frameSize);
    try {
      const model = await OnnxModel.open({ path: file.path, device: context.options.device as 'auto' | 'cpu' | 'coreml', bundled: file.bundled });
      await model.close();
      return ok(`${file.name} loads; it runs on ${model.provider} (${model.providerNote}).`);
    } catch (error) {
      return problemFrom(error, 'Run `npm run models` again, or check --model.');
    }
  },
};

/** The camera `start` would open gives a frame (on macOS this is where the camera permission shows). */
export const cameraCheck: Check = {
  link: 'camera',
  async run(context) {
    const { input, camera, width, height, fps } = context.options;
    if (input !== 'camera') return skipped(`--input ${input}: no camera used.`);
    const listing = await listDevices();
    const names = listing.cameras.map((device) => `${device.index}: ${device.name}`).join(', ');
    const { CameraSource } = await import('../capture/camera-source.js');
    try {
      const source = await CameraSource.open({ index: camera, width, height, fps });
      context.frameSize = { width: source.width, height: source.height };
      const gives = `${source.width}x${source.height} @ ${source.fps} fps`;
      await source.close();
      return ok(`Camera ${camera} gives frames (${gives})${names ? `; cameras: ${names}` : ''}.`);
    } catch (error) {
      const result = problemFrom(error, 'Check the camera is connected and not used by another app; `blurcam devices` lists them.');
      return { ...result, message: `${result.message}${names ? ` Cameras found: ${names}.` : ' No cameras found.'}` };
    }
  },
};
