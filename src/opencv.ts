/**
 * The only module that loads OpenCV (@u4/opencv4nodejs). Importing the binding has two side effects we must
 * control first: without OPENCV4NODEJS_DISABLE_AUTOBUILD it tries to build OpenCV from source (we link the
 * system's OpenCV instead), and it prints info logs to stdout, where our commands write their results.
 */
import { availableParallelism } from 'node:os';
import { Log } from '@u4/opencv-build';
import type { Mat } from '@u4/opencv4nodejs';

process.env.OPENCV4NODEJS_DISABLE_AUTOBUILD ??= '1';
// The binding's external-memory tracking reports native Mat memory to V8, also from inside garbage collection
// (when a Mat is freed), which aborts Node 20 ("Check failed: marking_done_") once frames come from readAsync
// threads. Without it V8 does not see OpenCV's memory, so blurcam frees its matrices itself (withScratch below,
// docs/pipeline.md, Memory).
process.env.OPENCV4NODEJS_DISABLE_EXTERNAL_MEM_TRACKING ??= '1';
Log.silence = true;
// OpenCV's own log lines ("can't open camera by index", GStreamer notes) would bury our clearer errors;
// OPENCV_LOG_LEVEL=INFO in the environment brings them back for debugging.
process.env.OPENCV_LOG_LEVEL ??= 'SILENT';

const binding = await import('@u4/opencv4nodejs');

export const cv = binding.cv;

/**
 * glibc's malloc (Linux) gives memory back to the kernel eagerly: a block above its "mmap threshold" (128 KiB at
 * start) is mapped on its own and unmapped when freed, and free space above the "trim threshold" at the top of the
 * heap is released. A 720p frame's intermediates come to about 15 MB, allocated and freed every frame, so they
 * went back to the kernel and were mapped again each frame: thousands of page faults a frame, which cost 20-30 ms
 * here (docs/pipeline.md, Memory). When a mapped block is freed, glibc raises the mmap threshold to its size (up
 * to 32 MiB) and the trim threshold to twice that; freeing one block just under 32 MiB sets both there, so frame
 * memory stays in the process and is reused. Other platforms' allocators are left alone.
 *
 * Called by openPipeline (start, bench) and the speed benchmarks, before the first frame; a one-off command has no
 * use for it.
 */
export function keepFrameMemoryInProcess(): void {
  if (process.platform === 'linux') new binding.cv.Mat(1024, 7680, binding.cv.CV_8UC4).release();
}

/**
 * OpenCV's parallel work (its thread pool, TBB on Debian) limited to one core fewer than the machine has, so the
 * live segmenter's grid thread keeps a core while the main thread lays the frame's background beside it. On these
 * 2-core machines OpenCV's second thread only took that core away: with one OpenCV thread the whole frame took 7.7-8.4
 * ms at the median against 8.0-9.5 ms with two, alternating frame by frame in one process (docs/pipeline.md).
 *
 * Called by openPipeline (start, bench), before the first frame.
 */
export function leaveACoreForTheGridThread(): void {
  binding.cv.setNumThreads(Math.max(1, availableParallelism() - 1));
}

export type { Mat } from '@u4/opencv4nodejs';

/** A Buffer over a typed array's memory (shared or not), for an OpenCV matrix to wrap without copying. */
export function bufferOver(values: Uint8Array | Float32Array): Buffer {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength);
}

/** Marks a matrix to be freed when the surrounding withScratch ends, and returns it. */
export type Track = <M extends Mat>(mat: M) => M;

/**
 * Runs `work` with `track`, which marks the matrices it makes along the way (and returns them, so it can wrap an
 * expression in place); all of them are freed as soon as `work` returns or throws. OpenCV's memory is invisible to
 * V8 (see above), so per-frame intermediates left to the garbage collector pile up by hundreds of megabytes and
 * come back as fresh memory that page-faults on first touch; freed at once, the same memory serves the next frame.
 * What `work` returns must not pass through `track`.
 */
export function withScratch<T>(work: (track: Track) => T): T {
  const scratch = new Scratch();
  try {
    return work(scratch.track);
  } finally {
    scratch.release();
  }
}

/** withScratch for work that awaits (the model): the matrices are freed once its promise settles. */
export async function withScratchAsync<T>(work: (track: Track) => Promise<T>): Promise<T> {
  const scratch = new Scratch();
  try {
    return await work(scratch.track);
  } finally {
    scratch.release();
  }
}

/** The matrices one withScratch call has made. */
class Scratch {
  private readonly made: Mat[] = [];

  readonly track: Track = (mat) => {
    this.made.push(mat);
    return mat;
  };

  release(): void {
    for (const mat of this.made) mat.release();
  }
}
