import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import type { CommandModule } from 'yargs';
import { outputClosed } from '../closed-output.js';
import { declareOptions, type OptionValues } from '../config.js';
import { BlurcamError, describeError } from '../errors.js';
import { checkImageSize } from '../files/image-size.js';
import { checkOutputs, writeFileSafely } from '../files/safe-write.js';
import { LatencyHistogram } from '../pipeline/latency-histogram.js';
import { FrameImage } from '../frame-image.js';

const SEGMENT_OPTIONS = ['config', 'model', 'device', 'threshold', 'softness', 'force', 'max-megapixels'] as const;

interface SegmentArgs extends Pick<OptionValues, (typeof SEGMENT_OPTIONS)[number]> {
  input?: string;
  video?: string;
  out: string;
}

/** What a folder's photos may be; other files in it are left alone. */
const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff', '.webp']);

/**
 * `blurcam segment <image|folder> --out <folder>`: an 8-bit PNG person mask (255 = person) for each photo,
 * at the photo's size and with its base name, with the time each took and the median. Every mask's file is
 * checked before the model loads (none may be a photo; none may exist unless --force). A photo that fails is
 * reported and skipped; the others are still written, and the exit code says some failed.
 */
export const segmentCommand: CommandModule<object, SegmentArgs> = {
  command: 'segment [input]',
  describe: 'Write person masks (PNG, 255 = person) for a photo, a folder of photos, or every frame of a video',
  builder: (yargs) =>
    declareOptions(yargs, SEGMENT_OPTIONS)
      .positional('input', { type: 'string', describe: 'A photo, or a folder of photos' })
      .options({
        video: { type: 'string', describe: "A video file: the live path's mask of every frame, as OUT/00000.png ..." },
        out: {
          type: 'string',
          demandOption: true,
          describe: 'Folder for the masks (created if missing); NAME.jpg gives NAME.png, or NAME.jpg.png when photos share a name',
        },
      }),
  async handler(argv) {
    if ((argv.input === undefined) === (argv.video === undefined)) {
      throw new BlurcamError(
        'BAD_OPTION',
        'segment needs a photo or folder, or --video, and not both.',
        'Run e.g. "blurcam segment photo.jpg --out masks" or "blurcam segment --video clip.mp4 --out masks".',
      );
    }
    if (argv.video !== undefined) return segmentVideo(argv.video, argv);
    const maxMegapixels = argv['max-megapixels'];
    const photos = await listPhotos(argv.input as string);
    await prepareOutput(argv.out);
    const masks = maskNames(photos).map((name) => join(argv.out, name));
    await checkOutputs(masks, { force: argv.force, inputs: photos, option: '--out' });
    // Loaded here, not at the top: OpenCV and onnxruntime take a while to load and other commands do not need them.
    const { cv } = await import('../opencv.js');
    const { createSegmenter } = await import('../segment/create-segmenter.js');
    const segmenter = await createSegmenter({
      mode: 'photo',
      model: argv.model,
      device: argv.device,
      threshold: argv.threshold,
      softness: argv.softness,
    });
    const print = (line: string) => process.stdout.write(`${line}\n`);
    print(`model: ${segmenter.description}`);
    const times = new LatencyHistogram();
    const failures: { photo: string; error: BlurcamError }[] = [];
    try {
      for (const [i, photo] of photos.entries()) {
        // Nobody reads the report any more (src/closed-output.ts): stop as on Ctrl-C; written masks are complete.
        if (outputClosed.aborted) return;
        try {
          const image = await readPhoto(photo, cv, maxMegapixels);
          const mask = await segmenter.segment(new FrameImage(image));
          await writeFileSafely(masks[i], cv.imencode('.png', mask), { force: argv.force });
          const { totalMs, modelMs, inferences } = segmenter.lastTimings;
          times.record(totalMs);
          const renamed = basename(masks[i]) === `${basename(photo, extname(photo))}.png` ? '' : `  -> ${basename(masks[i])}`;
          print(`${basename(photo)}  ${image.cols}x${image.rows}  ${totalMs.toFixed(1)} ms  (model ${modelMs.toFixed(1)} ms, ${inferences} inferences)${renamed}`);
        } catch (error) {
          if (!(error instanceof BlurcamError)) throw error;
          failures.push({ photo, error });
          print(`${basename(photo)}  skipped: ${error.message}`);
        }
      }
    } finally {
      await segmenter.close();
    }
    if (times.count > 0) print(`median: ${times.percentile(0.5).toFixed(1)} ms per photo over ${times.count}; masks in ${argv.out}`);
    if (failures.length === 0) return;
    if (photos.length === 1) throw failures[0].error;
    const names = failures.map((failure) => basename(failure.photo)).join(', ');
    throw new BlurcamError(
      'PHOTOS_FAILED',
      `${failures.length} of ${photos.length} photos failed: ${names}.`,
      `${failures[0].error.hint}${times.count > 0 ? ' The masks of the other photos were written.' : ''}`,
    );
  },
};

/**
 * The mask's file name for each photo: NAME.png for NAME.jpg. Photos that share a name (x.jpg and x.png; also
 * X.jpg and x.png, one file on a case-insensitive disk) keep their extension instead (x.jpg.png, x.png.png), so
 * no mask overwrites another. Throws OUTPUT_NAME_CLASH in the rare case that still leaves two masks one name.
 */
export function maskNames(photos: readonly string[]): string[] {
  const stem = (photo: string) => basename(photo, extname(photo));
  // Case-insensitive: on macOS's usual disks X.png and x.png are one file.
  const stemKey = (photo: string) => stem(photo).toLowerCase();
  const photosPerStem = new Map<string, number>();
  for (const photo of photos) photosPerStem.set(stemKey(photo), (photosPerStem.get(stemKey(photo)) ?? 0) + 1);
  const names = photos.map((photo) => `${photosPerStem.get(stemKey(photo)) === 1 ? stem(photo) : basename(photo)}.png`);
  const photoByName = new Map<string, string>();
  for (const [i, name] of names.entries()) {
    const other = photoByName.get(name.toLowerCase());
    if (other !== undefined) {
      throw new BlurcamError(
        'OUTPUT_NAME_CLASH',
        `${basename(other)} and ${basename(photos[i])} would both get the mask ${name}.`,
        'Rename one of the two photos, or segment them into different --out folders.',
      );
    }
    photoByName.set(name.toLowerCase(), photos[i]);
  }
  return names;
}

/** The live path over every frame of a video file, with the settings `start` would use for it. */
async function segmentVideo(video: string, argv: SegmentArgs): Promise<void> {
  await prepareOutput(argv.out);
  const { createSegmenter } = await import('../segment/create-segmenter.js');
  const { segmentVideoFile, videoFrameSize } = await import('./segment-video.js');
  const frameSize = videoFrameSize(video);
  const segmenter = await createSegmenter({
    mode: 'video',
    model: argv.model,
    device: argv.device,
    threshold: argv.threshold,
    softness: argv.softness,
    frameSize,
    // Nothing here overlaps with the model as the compositor does in `start`: the hand-over to a thread would only
    // add to each frame. The masks are the same either way.
    ownThread: false,
  });
  const print = (line: string) => process.stdout.write(`${line}\n`);
  print(`model: ${segmenter.description}`);
  const times = new LatencyHistogram();
  try {
    const frames = await segmentVideoFile(segmenter, video, argv.out, { force: argv.force }, ({ totalMs }) => times.record(totalMs));
    print(`${frames} frames, median ${times.percentile(0.5).toFixed(1)} ms per frame; masks in ${argv.out}`);
  } finally {
    await segmenter.close();
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

/** Decodes a photo once its header shows a size within the limit. */
async function readPhoto(path: string, cv: OpenCv, maxMegapixels: number) {
  const hint = 'Check that it is a photo (JPEG, PNG, BMP, TIFF or WebP) and that you can read it.';
  let bytes;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new BlurcamError('IMAGE_UNREADABLE', `${path} cannot be read: ${describeError(error)}`, hint, { cause: error });
  }
  checkImageSize(bytes, path, {
    maxMegapixels,
    unreadableHint: hint,
    tooLargeHint: 'Scale the photo down (4000 pixels on its long side is plenty for a mask), or raise --max-megapixels if the machine has the memory.',
  });
  const image = cv.imdecode(bytes, cv.IMREAD_COLOR);
  if (image.empty) throw new BlurcamError('IMAGE_UNREADABLE', `${path} is not an image OpenCV can decode.`, hint);
  return image;
}
