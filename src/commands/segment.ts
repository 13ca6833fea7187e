import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import type { CommandModule } from 'yargs';
import { pickOptions } from '../config.js';
import { BlurcamError, describeError } from '../errors.js';
import { LatencyHistogram } from '../pipeline/latency-histogram.js';
import type { Device } from '../segment/segmenter.js';

interface SegmentArgs {
  input?: string;
  video?: string;
  out: string;
  model: string;
  device: string;
  threshold: number;
  softness: number;
}

/** What a folder's photos may be; other files in it are left alone. */
const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff', '.webp']);

/**
 * `blurcam segment <image|folder> --out <folder>`: an 8-bit PNG person mask (255 = person) for each photo,
 * at the photo's size and with its base name, with the time each took and the median. A photo that cannot
 * be read is reported and skipped; the others are still written, and the exit code says some failed.
 * `blurcam segment --video clip.mp4 --out <folder>`: the live path's mask of every frame, in order
 * (00000.png, ...), with the settings `start` uses.
 */
export const segmentCommand: CommandModule<object, SegmentArgs> = {
  command: 'segment [input]',
  describe: 'Write person masks (PNG, 255 = person) for a photo, a folder of photos, or every frame of a video',
  builder: (yargs) =>
    yargs
      .positional('input', { type: 'string', describe: 'A photo, or a folder of photos' })
      .options({
        ...pickOptions('config', 'model', 'device', 'threshold', 'softness'),
        video: { type: 'string', describe: "A video file: the live path's mask of every frame, as OUT/00000.png ..." },
        out: { type: 'string', demandOption: true, describe: 'Folder for the masks (created if missing); NAME.jpg gives NAME.png' },
      }),
  async handler(argv) {
    if ((argv.input === undefined) === (argv.video === undefined)) {
      throw new BlurcamError('BAD_OPTION', 'segment needs a photo or folder, or --video, and not both.', 'Run e.g. "blurcam segment photo.jpg --out masks" or "blurcam segment --video clip.mp4 --out masks".');
    }
    if (argv.video !== undefined) return segmentVideo(argv.video, argv);
    const photos = await listPhotos(argv.input as string);
    await prepareOutput(argv.out);
    // Loaded here, not at the top: OpenCV and onnxruntime take a while to load and other commands do not need them.
    const { cv } = await import('../opencv.js');
    const { createSegmenter } = await import('../segment/create-segmenter.js');
    const segmenter = await createSegmenter({
      mode: 'photo',
      model: argv.model,
      device: argv.device as Device,
      threshold: argv.threshold,
      softness: argv.softness,
    });
    const print = (line: string) => process.stdout.write(`${line}\n`);
    print(`model: ${segmenter.description}`);
    const times = new LatencyHistogram();
    const failures: { photo: string; error: BlurcamError }[] = [];
    try {
      for (const photo of photos) {
        let image;
        try {
          image = await readPhoto(photo, cv);
        } catch (error) {
          if (!(error instanceof BlurcamError)) throw error;
          failures.push({ photo, error });
          print(`${basename(photo)}  skipped: ${error.message}`);
          continue;
        }
        const mask = await segmenter.segment(image);
        const target = join(argv.out, `${basename(photo, extname(photo))}.png`);
        await writeMask(target, cv.imencode('.png', mask));
        const { totalMs, modelMs, inferences } = segmenter.lastTimings;
        times.record(totalMs);
        print(`${basename(photo)}  ${image.cols}x${image.rows}  ${totalMs.toFixed(1)} ms  (model ${modelMs.toFixed(1)} ms, ${inferences} inferences)`);
      }
    } finally {
      await segmenter.close();
    }
    if (times.count > 0) print(`median: ${times.percentile(0.5).toFixed(1)} ms per photo over ${times.count}; masks in ${argv.out}`);
    if (failures.length > 0) {
      const names = failures.map((failure) => basename(failure.photo)).join(', ');
      throw new BlurcamError(
        'IMAGE_UNREADABLE',
        failures.length === photos.length && photos.length === 1
          ? failures[0].error.message
          : `${failures.length} of ${photos.length} photos could not be read: ${names}.`,
        `${failures[0].error.hint}${times.count > 0 ? ' The masks of the other photos were written.' : ''}`,
      );
    }
  },
};

/** The live path over every frame of a video file, with the settings `start` would use for it. */
async function segmentVideo(video: string, argv: SegmentArgs): Promise<void> {
  await prepareOutput(argv.out);
  const { cv } = await import('../opencv.js');
  const { createSegmenter } = await import('../segment/create-segmenter.js');
  const { segmentVideoFile } = await import('./segment-video.js');
  const frameSize = await videoFrameSize(video, cv);
  const segmenter = await createSegmenter({
    mode: 'video',
    model: argv.model,
    device: argv.device as Device,
    threshold: argv.threshold,
    softness: argv.softness,
    frameSize,
  });
  const print = (line: string) => process.stdout.write(`${line}\n`);
  print(`model: ${segmenter.description}`);
  const times = new LatencyHistogram();
  try {
    const frames = await segmentVideoFile(segmenter, video, argv.out, ({ totalMs }) => times.record(totalMs));
    print(`${frames} frames, median ${times.percentile(0.5).toFixed(1)} ms per frame; masks in ${argv.out}`);
  } finally {
    await segmenter.close();
  }
}

/** The frame size of a video file, for --model auto; an unreadable file is reported by segmentVideoFile. */
async function videoFrameSize(video: string, cv: OpenCv): Promise<{ width: number; height: number } | undefined> {
  try {
    const capture = new cv.VideoCapture(video, cv.CAP_FFMPEG);
    const size = { width: capture.get(cv.CAP_PROP_FRAME_WIDTH), height: capture.get(cv.CAP_PROP_FRAME_HEIGHT) };
    capture.release();
    return size.width > 0 && size.height > 0 ? size : undefined;
  } catch {
    return undefined;
  }
}

/** The photo itself, or the photos in a folder (sorted by name). */
async function listPhotos(input: string): Promise<string[]> {
  let info;
  try {
    info = await stat(input);
  } catch (error) {
    throw new BlurcamError('PATH_NOT_FOUND', `${input} does not exist.`, 'Name a photo or a folder of photos.', { cause: error });
  }
  if (!info.isDirectory()) return [input];
  const names = (await readdir(input)).filter((name) => IMAGE_EXTENSIONS.has(extname(name).toLowerCase())).sort();
  if (names.length === 0) {
    throw new BlurcamError(
      'NO_IMAGES',
      `${input} holds no photos.`,
      `Put photos in it (${[...IMAGE_EXTENSIONS].join(' ')}), or name a photo instead.`,
    );
  }
  return names.map((name) => join(input, name));
}

async function prepareOutput(out: string): Promise<void> {
  try {
    await mkdir(out, { recursive: true });
    if (!(await stat(out)).isDirectory()) throw new Error('it is not a folder');
  } catch (error) {
    throw new BlurcamError('OUTPUT_UNWRITABLE', `Cannot write masks into ${out}: ${describeError(error)}`, 'Give --out a folder you can write to.', {
      cause: error,
    });
  }
}

type OpenCv = (typeof import('../opencv.js'))['cv'];

async function readPhoto(path: string, cv: OpenCv) {
  const hint = 'Check that it is a photo (JPEG, PNG, BMP, TIFF or WebP) and that you can read it.';
  let bytes;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new BlurcamError('IMAGE_UNREADABLE', `${path} cannot be read: ${describeError(error)}`, hint, { cause: error });
  }
  const image = cv.imdecode(bytes, cv.IMREAD_COLOR);
  if (image.empty) throw new BlurcamError('IMAGE_UNREADABLE', `${path} is not an image OpenCV can decode.`, hint);
  return image;
}

async function writeMask(path: string, png: Buffer): Promise<void> {
  try {
    await writeFile(path, png);
  } catch (error) {
    throw new BlurcamError('OUTPUT_UNWRITABLE', `Cannot write ${path}: ${describeError(error)}`, 'Give --out a folder you can write to.', {
      cause: error,
    });
  }
}
