/**
 * What a still camera learns about its background while it runs. Where the model is sure a pixel is background,
 * its colour is learned (with the exposure taken out, so a slow exposure change keeps it valid); once a
 * pixel has shown the same background colour for a while, a later frame in which it still shows that colour is
 * background, whatever the model says there. That removes what the model keeps taking for person beside a person
 * (a dark poster beside dark hair, a bright cup rim behind a head), as soon as the person has moved enough for the
 * model to see that patch as background once.
 *
 * It only ever lowers the person probability, and only where the colour matches: a person who sits still is
 * never learned (the model calls them person throughout), and a person in front of a learned patch hides its
 * colour. When most of the learned background stops matching (the camera moved, the light changed sharply),
 * everything learned is forgotten and learning starts again. Works on the fusion grid, in one pass over it.
 */
export interface BackgroundModelOptions {
  /** Fused probability below which a pixel's colour is learned as background. */
  learnBelow: number;
  /** Colour difference (0..1 per channel, after the brightness correction) within which a pixel matches. */
  matchLimit: number;
  /** How much one matching sighting adds to a pixel's trust (0..1); a pixel is looked at every LEARN_PHASES frames. */
  trustStep: number;
  /** Below this share of trusted pixels still matching, the scene changed: everything is forgotten. */
  sceneChangeShare: number;
}

export const DEFAULT_BACKGROUND: BackgroundModelOptions = { learnBelow: 0.2, matchLimit: 0.035, trustStep: 0.35, sceneChangeShare: 0.6 };

/** A learned colour moves this far towards each new sighting: it follows noise slowly and drift steadily. */
const LEARN_RATE = 0.2;
/** Each frame learns from one pixel in this many, in turn. */
const LEARN_PHASES = 4;
/** The exposure and the scene-change share are judged on one pixel in this many. */
const SAMPLE_STEP = 16;
/** Probability from which a matching pixel is lowered. */
const LOWER_FROM = 0.5;
/** Fewer trusted pixels than this share of the grid say too little to judge a scene change by. */
const MIN_TRUSTED_SHARE = 0.05;

export class BackgroundModel {
  /** Learned colour per pixel (3 channels, 0..1), at the exposure the model started learning at. */
  private readonly colour: Float32Array;
  /** 0 (nothing learned) to 1 (seen as this background for many frames). */
  private readonly trust: Float32Array;
  /** The last frame's share of trusted pixels that matched (sampled), for reports and tests. */
  lastMatchShare = 1;
  private frame = 0;

  constructor(
    readonly pixels: number,
    private readonly options: BackgroundModelOptions = DEFAULT_BACKGROUND,
  ) {
    this.colour = new Float32Array(pixels * 3);
    this.trust = new Float32Array(pixels);
  }

  /**
   * `bgr` is the frame on the grid (8-bit BGR, 3 bytes a pixel), `prob` the fused person probability, lowered in
   * place where the pixel matches a trusted background; then the model learns from this frame.
   */
  apply(bgr: Uint8Array, prob: Float32Array): void {
    const { pixels, colour, trust } = this;
    const { learnBelow, matchLimit, trustStep, sceneChangeShare } = this.options;
    const scale = 1 / (255 * this.exposure(bgr, prob));
    const inverseLimit = 1 / matchLimit;

    let trusted = 0;
    let matched = 0;
    for (let i = 0; i < pixels; i += SAMPLE_STEP) {
      if (trust[i] < 0.5) continue;
      trusted++;
      matched += Number(distance(bgr, colour, i, scale) < matchLimit);
    }
    this.lastMatchShare = trusted > 0 ? matched / trusted : 1;
    if (trusted * SAMPLE_STEP >= MIN_TRUSTED_SHARE * pixels && this.lastMatchShare < sceneChangeShare) {
      trust.fill(0);
      this.lastMatchShare = 1;
    }

    // Only what the model calls person is lowered: the uncertain rim just outside a person stays as the model says,
    // so the edge does not creep inwards where the model was rightly unsure.
    for (let i = 0; i < pixels; i++) {
      if (prob[i] < LOWER_FROM || trust[i] === 0) continue;
      // No branch on the colour's match (unpredictable, dearer than the arithmetic): closeness is 0 past the limit.
      const closeness = Math.max(0, 1 - distance(bgr, colour, i, scale) * inverseLimit);
      prob[i] *= 1 - trust[i] * closeness * closeness;
    }

    // Learning takes one pixel in LEARN_PHASES a frame, in turn: a quarter of the work, as good over a few frames.
    for (let i = this.frame++ % LEARN_PHASES; i < pixels; i += LEARN_PHASES) {
      if (prob[i] >= learnBelow) continue;
      const j = i * 3;
      if (trust[i] === 0 || distance(bgr, colour, i, scale) >= matchLimit) {
        // First sighting, or the background here changed: start over from this colour.
        colour[j] = bgr[j] * scale;
        colour[j + 1] = bgr[j + 1] * scale;
        colour[j + 2] = bgr[j + 2] * scale;
        trust[i] = trustStep;
        continue;
      }
      colour[j] += LEARN_RATE * (bgr[j] * scale - colour[j]);
      colour[j + 1] += LEARN_RATE * (bgr[j + 1] * scale - colour[j + 1]);
      colour[j + 2] += LEARN_RATE * (bgr[j + 2] * scale - colour[j + 2]);
      trust[i] = Math.min(1, trust[i] + trustStep);
    }
  }

  /** Forgets everything learned (a new scene or camera). */
  reset(): void {
    this.trust.fill(0);
    this.lastMatchShare = 1;
  }

  /**
   * The frame's exposure relative to the learned colours: today's over the learned brightness of the trusted
   * pixels the model still calls background (a person moving about does not change it; 1 when none).
   */
  private exposure(bgr: Uint8Array, prob: Float32Array): number {
    const { colour, trust } = this;
    let now = 0;
    let learned = 0;
    for (let i = 0, j = 0; i < this.pixels; i += SAMPLE_STEP, j += 3 * SAMPLE_STEP) {
      if (trust[i] < 0.5 || prob[i] >= 0.5) continue;
      now += bgr[j] + bgr[j + 1] + bgr[j + 2];
      learned += colour[j] + colour[j + 1] + colour[j + 2];
    }
    return learned > 0 && now > 0 ? now / 255 / learned : 1;
  }
}

/** The largest per-channel difference between pixel i and its learned colour. */
function distance(bgr: Uint8Array, colour: Float32Array, i: number, scale: number): number {
  const j = i * 3;
  return Math.max(Math.abs(bgr[j] * scale - colour[j]), Math.abs(bgr[j + 1] * scale - colour[j + 1]), Math.abs(bgr[j + 2] * scale - colour[j + 2]));
}
