import { fileURLToPath } from 'node:url';
import { cv, type Mat } from '../opencv.js';

/** The public-domain photo the demo person comes from (assets/demo/README.md). */
const PERSON_PHOTO = fileURLToPath(new URL('../../assets/demo/astronaut.jpg', import.meta.url));
const POSTER_PHOTO = fileURLToPath(new URL('../../assets/demo/space.jpg', import.meta.url));

/**
 * The person's outline in the 512x512 photo, drawn by hand (hair, face, suit, and the helmet she holds). GrabCut
 * refines it to the real edge in a band around this line.
 */
const OUTLINE: ReadonlyArray<readonly [number, number]> = [
  [222, 14], [250, 16], [275, 26], [292, 45], [300, 75], [298, 105], [288, 122], [272, 135], [270, 150], [286, 160],
  [300, 180], [306, 210], [306, 240], [330, 262], [352, 285], [362, 320], [360, 345], [400, 342], [450, 350],
  [485, 375], [500, 420], [505, 470], [512, 512], [28, 512], [22, 450], [20, 380], [30, 300], [55, 262], [95, 232],
  [118, 205], [125, 185], [160, 160], [172, 150], [168, 128], [157, 110], [152, 80], [160, 50], [185, 24],
];
/** Half-width of the band (photo pixels) where GrabCut decides between person and background. */
const OUTLINE_BAND_PX = 8;
const GRABCUT_ITERATIONS = 3;

/** The person's height as a share of the frame's; the photo's lower edge stays below the frame, like a webcam. */
const PERSON_HEIGHT = 0.92;
/** Gentle motion: sideways sway and a small bob, in shares of the frame, and their periods. */
const SWAY = 0.06;
const SWAY_PERIOD_S = 7;
const BOB = 0.02;
const BOB_PERIOD_S = 3.1;

export interface DemoFrame {
  /** 8-bit BGR, the frame's size. */
  image: Mat;
  /** Where the person really is: CV_8UC1, 255 = person, soft at the edge. Only when asked for. */
  personMask?: Mat;
}

interface Cutout {
  /** The person scaled for the frame, 8-bit BGR, and its bytes. */
  image: Mat;
  pixels: Buffer;
  /** Opacity (CV_8UC1) and the hard inside of it (255 only), for a fast copy of the inside. */
  alpha: Mat;
  inside: Mat;
  /** Offsets (pixel index in the cutout) and opacities of the soft edge pixels, blended one by one. */
  edgeIndex: Uint32Array;
  edgeAlpha: Uint8Array;
}

let personPromise: { photo: Mat; mask: Mat } | undefined;

/**
 * A synthetic webcam scene: the astronaut from the public-domain NASA photo, cut out of her studio, in front of
 * a drawn room (window, poster, bookshelf), swaying gently. Frame `t` is the same every time, so tests and the
 * benchmark clip are reproducible, and the person's true outline is known (`personMask`).
 */
export class DemoScene {
  /** Where frames are drawn: a buffer OpenCV draws into through `canvas`, and the edge blend writes directly. */
  private readonly pixels: Buffer;
  private readonly canvas: Mat;

  private constructor(
    readonly width: number,
    readonly height: number,
    private readonly background: Mat,
    private readonly cutout: Cutout,
  ) {
    this.pixels = Buffer.alloc(width * height * 3);
    // This Mat constructor wraps the buffer's memory without copying; both live as long as the scene.
    this.canvas = new cv.Mat(height, width, cv.CV_8UC3, this.pixels);
  }

  static create(width: number, height: number): DemoScene {
    const person = cutPerson();
    const size = Math.round(height * PERSON_HEIGHT);
    return new DemoScene(width, height, drawRoom(width, height), scaleCutout(person.photo, person.mask, size));
  }

  /** The frame at `timeSec` seconds into the scene. */
  render(timeSec: number, { withMask = false } = {}): DemoFrame {
    const { width, height, cutout } = this;
    const size = cutout.image.rows;
    const left = Math.round((width - size) / 2 + SWAY * width * Math.sin((2 * Math.PI * timeSec) / SWAY_PERIOD_S));
    const bob = (BOB * height * (1 - Math.cos((2 * Math.PI * timeSec) / BOB_PERIOD_S))) / 2;
    const top = Math.round(height - size + bob);

    const { canvas } = this;
    this.background.copyTo(canvas);
    const personMask = withMask ? new cv.Mat(height, width, cv.CV_8UC1, 0) : undefined;
    const visible = intersect(left, top, size, width, height);
    if (visible) {
      const from = new cv.Rect(visible.x - left, visible.y - top, visible.width, visible.height);
      const to = new cv.Rect(visible.x, visible.y, visible.width, visible.height);
      cutout.image.getRegion(from).copyTo(canvas.getRegion(to), cutout.inside.getRegion(from));
      if (personMask) cutout.alpha.getRegion(from).copyTo(personMask.getRegion(to));
      blendEdge(this.pixels, width, height, cutout, left, top);
    }
    // The pipeline owns each frame it is given: a copy, so the next frame can be drawn at once.
    return { image: canvas.copy(), personMask };
  }
}

/** The person's photo and a binary mask of her (255 = person), computed once per process (about a second). */
function cutPerson(): { photo: Mat; mask: Mat } {
  if (personPromise) return personPromise;
  const photo = cv.imread(PERSON_PHOTO);
  const outline = new cv.Mat(photo.rows, photo.cols, cv.CV_8UC1, 0);
  outline.drawFillPoly([OUTLINE.map(([x, y]) => new cv.Point2(x, y))], new cv.Vec3(255, 255, 255));
  const kernel = cv.getStructuringElement(cv.MORPH_ELLIPSE, new cv.Size(2 * OUTLINE_BAND_PX + 1, 2 * OUTLINE_BAND_PX + 1));
  const outside = outline.dilate(kernel);
  const inside = outline.erode(kernel);

  const labels = new cv.Mat(photo.rows, photo.cols, cv.CV_8UC1, cv.GC_BGD);
  labels.setTo(cv.GC_PR_BGD, outside);
  labels.setTo(cv.GC_PR_FGD, outline);
  labels.setTo(cv.GC_FGD, inside);
  photo.grabCut(labels, new cv.Rect(0, 0, 0, 0), new cv.Mat(), new cv.Mat(), GRABCUT_ITERATIONS, cv.GC_INIT_WITH_MASK);

  // GC_FGD is 1 and GC_PR_FGD is 3: the person is where the low bit is set.
  const mask = labels.bitwiseAnd(new cv.Mat(photo.rows, photo.cols, cv.CV_8UC1, 1)).threshold(0, 255, cv.THRESH_BINARY);
  personPromise = { photo, mask };
  return personPromise;
}

function scaleCutout(photo: Mat, mask: Mat, size: number): Cutout {
  const image = photo.resize(size, size, 0, 0, cv.INTER_AREA);
  // Area scaling leaves a soft edge one or two pixels wide, like a real camera's.
  const alpha = mask.resize(size, size, 0, 0, cv.INTER_AREA).gaussianBlur(new cv.Size(3, 3), 0);
  const inside = alpha.threshold(254, 255, cv.THRESH_BINARY);
  const levels = alpha.getData();
  const edge: number[] = [];
  for (let i = 0; i < levels.length; i++) if (levels[i] > 0 && levels[i] < 255) edge.push(i);
  return {
    image,
    pixels: image.getData(),
    alpha,
    inside,
    edgeIndex: Uint32Array.from(edge),
    edgeAlpha: Uint8Array.from(edge, (i) => levels[i]),
  };
}

/** Blends the soft edge pixels of the cutout placed at (left, top) into the BGR `frame`, in place. */
function blendEdge(frame: Buffer, width: number, height: number, cutout: Cutout, left: number, top: number): void {
  const size = cutout.image.cols;
  const person = cutout.pixels;
  for (let k = 0; k < cutout.edgeIndex.length; k++) {
    const i = cutout.edgeIndex[k];
    const x = left + (i % size);
    const y = top + Math.floor(i / size);
    if (x < 0 || y < 0 || x >= width || y >= height) continue;
    const a = cutout.edgeAlpha[k];
    const p = i * 3;
    const f = (y * width + x) * 3;
    for (let c = 0; c < 3; c++) frame[f + c] = (person[p + c] * a + frame[f + c] * (255 - a) + 127) / 255;
  }
}

function intersect(left: number, top: number, size: number, width: number, height: number) {
  const x = Math.max(0, left);
  const y = Math.max(0, top);
  const right = Math.min(width, left + size);
  const bottom = Math.min(height, top + size);
  return right > x && bottom > y ? { x, y, width: right - x, height: bottom - y } : undefined;
}

/** A small deterministic generator (LCG), so the room is drawn the same on every run. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/**
 * A plain room with plenty of edges, so blur and replacement are easy to see: a lit wall, a window with its frame,
 * a framed poster (the Hubble Deep Field) and a bookshelf.
 */
function drawRoom(width: number, height: number): Mat {
  const wall = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    const t = y / height;
    const bgr = [218 - 40 * t, 226 - 36 * t, 232 - 30 * t];
    for (let x = 0, i = y * width * 3; x < width; x++, i += 3) {
      wall[i] = bgr[0];
      wall[i + 1] = bgr[1];
      wall[i + 2] = bgr[2];
    }
  }
  const room = new cv.Mat(wall, height, width, cv.CV_8UC3);
  const at = (fx: number, fy: number) => new cv.Point2(Math.round(fx * width), Math.round(fy * height));
  const box = (x0: number, y0: number, x1: number, y1: number, bgr: [number, number, number], thickness = -1) =>
    room.drawRectangle(at(x0, y0), at(x1, y1), new cv.Vec3(...bgr), thickness === -1 ? -1 : Math.max(1, Math.round(thickness * height)));

  box(0, 0.9, 1, 1, [70, 100, 140]);
  box(0.05, 0.12, 0.29, 0.62, [235, 200, 150]);
  box(0.05, 0.45, 0.29, 0.62, [90, 150, 100]);
  box(0.05, 0.12, 0.29, 0.62, [245, 245, 245], 0.014);
  box(0.168, 0.12, 0.172, 0.62, [245, 245, 245]);
  box(0.05, 0.365, 0.29, 0.372, [245, 245, 245]);

  const poster = cv.imread(POSTER_PHOTO);
  const posterRect = new cv.Rect(Math.round(0.36 * width), Math.round(0.08 * height), Math.round(0.26 * width), Math.round(0.32 * height));
  poster.resize(posterRect.height, posterRect.width, 0, 0, cv.INTER_AREA).copyTo(room.getRegion(posterRect));
  box(0.36, 0.08, 0.62, 0.4, [30, 30, 30], 0.008);

  box(0.7, 0.14, 0.97, 0.86, [40, 62, 92]);
  const random = seededRandom(7);
  const shelfTops = [0.14, 0.38, 0.62];
  for (const top of shelfTops) {
    const bottom = top + 0.22;
    for (let x = 0.71; x < 0.955; ) {
      const w = 0.008 + 0.014 * random();
      const h = 0.13 + 0.08 * random();
      const colour: [number, number, number] = [40 + 200 * random(), 40 + 200 * random(), 40 + 200 * random()];
      box(x, bottom - h, Math.min(x + w, 0.96), bottom, colour);
      x += w + 0.002;
    }
    box(0.7, bottom, 0.97, bottom + 0.02, [30, 45, 70]);
  }
  return room;
}
