import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import { declareOptions, type OptionValues } from '../config.js';
import { BlurcamError, describeError } from '../errors.js';
import { FrameImage } from '../frame-image.js';
import type { Mat } from '../opencv.js';

const RECORD_OPTIONS = ['config', 'input', 'camera', 'size', 'fps', 'frames', 'every', 'model', 'device', 'threshold', 'softness'] as const;

interface RecordArgs extends Pick<OptionValues, (typeof RECORD_OPTIONS)[number]> {
  out: string;
}

const DEFAULT_FRAMES = 150;
/** How much the review pictures darken what the teacher called background. */
const REVIEW_BACKGROUND_SHADE = 0.3;

/**
 * `blurcam record --out <folder>`: a short session from the camera (or a file, or the demo) saved as training
 * data for train/: the frames in images/, person masks from blurcam's photo mode (its best, slowest masks) in
 * masks/ as the teacher's labels, and in review/ each frame with its background darkened, to look through and
 * correct. Frames are all saved first and labelled after, so labelling never holds up the camera.
 */
export const recordCommand: CommandModule<object, RecordArgs> = {
  command: 'record',
  describe: 'Record frames as training data, labelled with photo-mode masks (train/README.md)',
  builder: (yargs) =>
    declareOptions(yargs, RECORD_OPTIONS, { frames: { describe: `How many frames to read from the source (default ${DEFAULT_FRAMES})` } }).options({
      out: { type: 'string', demandOption: true, describe: 'Data folder (created if missing): images/, masks/, review/' },
    }),
  async handler(argv) {
    const { width, height } = argv.size;
    const { fps } = argv;
    const frames = argv.frames ?? DEFAULT_FRAMES;
    const folders = { images: join(argv.out, 'images'), masks: join(argv.out, 'masks'), review: join(argv.out, 'review') };
    for (const folder of Object.values(folders)) makeFolder(folder);

    // Loaded here, not at the top: OpenCV and onnxruntime take a while to load and other commands do not need them.
    const { cv } = await import('../opencv.js');
    const { createFrameSource } = await import('../capture/create-frame-source.js');
    const { createSegmenter } = await import('../segment/create-segmenter.js');
    const print = (line: string) => process.stdout.write(`${line}\n`);

    const source = await createFrameSource({ input: argv.input, camera: argv.camera, width, height, fps, paced: false });
    const session = `rec-${new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)}`;
    const names: string[] = [];
    try {
      print(`recording ${frames} frames from ${source.description}, keeping every ${argv.every}`);
      for (let i = 0; i < frames; i++) {
        const { image } = await source.read();
        if (i % argv.every === 0) {
          const name = `${session}-${String(i).padStart(5, '0')}`;
          writeImage(cv, join(folders.images, `${name}.jpg`), image.mat);
          names.push(name);
        }
        image.release();
      }
    } finally {
      await source.close();
    }

    const teacher = await createSegmenter({
      mode: 'photo',
      model: argv.model,
      device: argv.device,
      threshold: argv.threshold,
      softness: argv.softness,
    });
    print(`labelling ${names.length} frames with ${teacher.description}`);
    try {
      for (const name of names) {
        const image = cv.imread(join(folders.images, `${name}.jpg`), cv.IMREAD_COLOR);
        const mask = await teacher.segment(new FrameImage(image));
        writeImage(cv, join(folders.masks, `${name}.png`), mask);
        writeImage(cv, join(folders.review, `${name}.jpg`), reviewPicture(cv, image, mask));
      }
    } finally {
      await teacher.close();
    }
    print(`${names.length} frames in ${folders.images}, masks in ${folders.masks}`);
    print(`look through ${folders.review} (background darkened): paint a wrong mask in masks/ (white = person), or delete`);
    print(`both files of a frame you do not want; then: python3 -m blurcam_train prepare ${argv.out} --out <lists folder>`);
  },
};

type OpenCv = (typeof import('../opencv.js'))['cv'];

/** The frame as the teacher saw it: the person as is, the background darkened. */
function reviewPicture(cv: OpenCv, image: Mat, mask: Mat): Mat {
  const review = image.convertTo(cv.CV_8UC3, REVIEW_BACKGROUND_SHADE);
  image.copyTo(review, mask.threshold(127, 255, cv.THRESH_BINARY));
  return review;
}

function makeFolder(folder: string): void {
  try {
    mkdirSync(folder, { recursive: true });
    if (!statSync(folder).isDirectory()) throw new Error('it is not a folder');
  } catch (error) {
    throw new BlurcamError('OUTPUT_UNWRITABLE', `Cannot write into ${folder}: ${describeError(error)}`, 'Give --out a folder you can write to.', {
      cause: error,
    });
  }
}

function writeImage(cv: OpenCv, path: string, image: Mat): void {
  try {
    cv.imwrite(path, image);
  } catch (error) {
    throw new BlurcamError('OUTPUT_UNWRITABLE', `Cannot write ${path}: ${describeError(error)}`, 'Give --out a folder you can write to.', {
      cause: error,
    });
  }
}
