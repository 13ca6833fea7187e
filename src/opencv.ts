/**
 * The only module that loads OpenCV (@u4/opencv4nodejs). Importing the binding has two side effects we must
 * control first: without OPENCV4NODEJS_DISABLE_AUTOBUILD it tries to build OpenCV from source (we link the
 * system's OpenCV instead), and it prints info logs to stdout, where our commands write their results.
 */
import { Log } from '@u4/opencv-build';

process.env.OPENCV4NODEJS_DISABLE_AUTOBUILD ??= '1';
// The binding's external-memory tracking reports native Mat memory to V8, also from inside garbage collection
// (when a Mat is freed), which aborts Node 20 ("Check failed: marking_done_") once frames come from readAsync
// threads; without it V8 still collects often enough, driven by the per-frame Buffers (docs/pipeline.md).
process.env.OPENCV4NODEJS_DISABLE_EXTERNAL_MEM_TRACKING ??= '1';
Log.silence = true;
// OpenCV's own log lines ("can't open camera by index", GStreamer notes) would bury our clearer errors;
// OPENCV_LOG_LEVEL=INFO in the environment brings them back for debugging.
process.env.OPENCV_LOG_LEVEL ??= 'SILENT';

const binding = await import('@u4/opencv4nodejs');

export const cv = binding.cv;
export type { Mat } from '@u4/opencv4nodejs';
