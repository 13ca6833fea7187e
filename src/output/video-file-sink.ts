import { accessSync, constants } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import { BlurcamError, describeError } from '../errors.js';
import { checkOutputs, commitFile, temporaryPathFor } from '../files/safe-write.js';
import { cv, type Mat } from '../opencv.js';
import type { FrameSink, OutputFrame } from './frame-sink.js';

/** Codecs to try per container, best first (OpenCV's FOURCC codes). H.264 where OpenCV's build has it. */
const CODECS: Record<string, string[]> = {
  '.mp4': ['avc1', 'mp4v'],
  '.mov': ['avc1', 'mp4v'],
  '.mkv': ['avc1', 'MJPG'],
  '.avi': ['MJPG'],
};
/** OpenCV's CAP_PROP_BACKEND: VideoWriter.get gives the backend's id once open, -1 when it could not open. */
const CAP_PROP_BACKEND = 42;

/**
 * An OpenCV VideoWriter for `path` (writing into `writeTo` when given, a temporary file the caller moves into place),
 * with the best codec its container and OpenCV's build allow (or one of `codecs`). Fails with a clear error when
 * the folder is not writable or no codec opens.
 */
export function openVideoWriter(
  path: string,
  options: VideoFileSinkOptions,
  codecs?: string[],
  writeTo?: string,
): { writer: InstanceType<typeof cv.VideoWriter>; path: string; codec: string } {
  const absolute = resolve(path);
  const extension = extname(absolute).toLowerCase();
  const candidates = codecs ?? CODECS[extension];
  if (!candidates) {
    throw new BlurcamError(
      'BAD_OPTION',
      `--output ${path}: blurcam cannot write "${extension || 'no extension'}" video files.`,
      `Name a file ending in ${Object.keys(CODECS).join(', ')}, or use --output null.`,
    );
  }
  try {
    accessSync(dirname(absolute), constants.W_OK);
  } catch (error) {
    throw new BlurcamError(
      'OUTPUT_UNWRITABLE',
      `Cannot write ${absolute}: ${describeError(error)}`,
      'Choose a file in a folder that exists and that you can write to.',
      { cause: error },
    );
  }
  const size = new cv.Size(options.width, options.height);
  for (const codec of candidates) {
    const writer = new cv.VideoWriter(writeTo ?? absolute, cv.VideoWriter.fourcc(codec), options.fps, size);
    if (Number(writer.get(CAP_PROP_BACKEND)) > 0) return { writer, path: absolute, codec };
    writer.release();
  }
  throw new BlurcamError(
    'OUTPUT_UNWRITABLE',
    `OpenCV could not open ${absolute} for writing with codec ${candidates.join(' or ')}.`,
    'Try another container (--output out.avi), or check that OpenCV was built with FFmpeg.',
  );
}

export interface VideoFileSinkOptions {
  width: number;
  height: number;
  fps: number;
  /** Replace a file that already exists (--force). */
  force?: boolean;
  /** The files this run reads (--input, --background): the video may never be written over one of them. */
  inputs?: readonly string[];
}

/**
 * Writes the frames to a video file with OpenCV's VideoWriter. Encoding runs on a libuv thread, one frame at a
 * time; frames that arrive meanwhile wait in a queue of half a second's worth. A file is not live, so a burst of
 * slow encoding (a busy machine, a complex scene) is absorbed instead of leaving jumps in the video; when the
 * encoder falls further behind, frames are refused (dropped and counted), so memory stays bounded and the
 * pipeline never waits. The video is written to a hidden file beside its name and moved there when closed
 * (src/files/safe-write.ts), so a crash never leaves half a video under the name, nor replaces an existing file.
 */
export class VideoFileSink implements FrameSink {
  readonly description: string;
  private readonly queue: Mat[] = [];
  private readonly maxQueued: number;
  private writing: Promise<void> | undefined;
  private failure: unknown;

  private constructor(
    readonly path: string,
    private readonly temporary: string,
    private readonly writer: InstanceType<typeof cv.VideoWriter>,
    private readonly options: VideoFileSinkOptions,
    codec: string,
  ) {
    this.description = `${path} (${codec}, ${options.width}x${options.height} @ ${options.fps} fps)`;
    this.maxQueued = Math.max(1, Math.ceil(options.fps / 2));
  }

  static async open(path: string, options: VideoFileSinkOptions): Promise<VideoFileSink> {
    const target = resolve(path);
    await checkOutputs([target], { force: options.force ?? false, inputs: options.inputs ?? [], option: '--output' });
    const temporary = temporaryPathFor(target);
    try {
      const { writer, codec } = openVideoWriter(path, options, undefined, temporary);
      return new VideoFileSink(target, temporary, writer, options, codec);
    } catch (error) {
      // A writer that failed to open may still have created the file.
      await unlink(temporary).catch(() => undefined);
      throw error;
    }
  }

  write(frame: OutputFrame): boolean {
    if (this.failure || this.queue.length >= this.maxQueued) return false;
    if (frame.width !== this.options.width || frame.height !== this.options.height) {
      throw new Error(`VideoFileSink: frame ${frame.width}x${frame.height} does not match the file's ${this.options.width}x${this.options.height}`);
    }
    // Wraps the frame's pixels without a copy; cvtColor makes the BGR copy the queue and the encoder keep.
    const bgra = new cv.Mat(frame.height, frame.width, cv.CV_8UC4, frame.data, frame.stride);
    this.queue.push(bgra.cvtColor(cv.COLOR_BGRA2BGR));
    bgra.release();
    if (!this.writing) this.writeNext();
    return true;
  }

  /** Waits for the queued frames to be encoded, then finishes the file. */
  async close(): Promise<void> {
    while (this.writing) await this.writing;
    // The binding's async write keeps its own reference to the writer until its callback has returned; the file
    // is finished only when the last reference goes, so release after that callback, not inside it.
    await new Promise((resolve) => setImmediate(resolve));
    this.writer.release();
    if (this.failure) {
      await unlink(this.temporary).catch(() => undefined);
      throw new BlurcamError('OUTPUT_UNWRITABLE', `Writing ${this.path} failed: ${describeError(this.failure)}`, 'Check the disk has room and the file is writable.', {
        cause: this.failure,
      });
    }
    try {
      await commitFile(this.temporary, this.path, { force: this.options.force ?? false });
    } catch (error) {
      // The recording is the user's: keep it under its temporary name rather than lose it.
      if (!(error instanceof BlurcamError)) throw error;
      throw new BlurcamError(error.code, error.message, `The video is kept as ${this.temporary}: ${error.hint}`, { cause: error });
    }
  }

  /** Encodes the oldest queued frame, then the next, until the queue is empty or a write fails. */
  private writeNext(): void {
    const bgr = this.queue.shift();
    if (!bgr) {
      this.writing = undefined;
      return;
    }
    this.writing = this.writer.writeAsync(bgr).then(
      () => {
        // Freed once encoded (the encoder holds its own reference until then): OpenCV's memory is invisible to V8.
        bgr.release();
        this.writeNext();
      },
      (error: unknown) => {
        bgr.release();
        this.failure = error;
        for (const waiting of this.queue.splice(0)) waiting.release();
        this.writing = undefined;
      },
    );
  }
}
