import { builtInBackdrop } from '../composite/backdrop.js';
import type { Effect } from '../composite/effect.js';
import { readBackground } from '../composite/load-effect.js';
import { describeError } from '../errors.js';
import type { Mat } from '../opencv.js';
import type { PipelineMode } from '../pipeline/pipeline.js';
import { type ControlRequest, parseControlEvent } from './control-event.js';
import type { ProgramScene } from '../control/program-scene.js';
import type { EffectSpec, SceneDefinition } from './scene-config.js';

/** The parts the director drives: the pipeline's mode and the compositor's effect. */
export interface DirectedPipeline {
  setMode(mode: PipelineMode): void;
}
export interface DirectedCompositor {
  setEffect(effect: Effect): void;
}

/** What blurcam does now, for `blurcam status` and the status page. */
export interface DirectorState {
  sceneName?: string;
  showsBlurcam: boolean;
  effect: EffectSpec;
  mode: PipelineMode;
}


/** Where an event's blur starts when no scene of blurcam's blurs. */
const DEFAULT_BLUR_STRENGTH = 0.5;

/**
 * Makes the live OBS scene the control: each of blurcam's scenes has its effect, a scene of the user's own that
 * shows the blurcam source takes the main scene's, a "be right back" scene switches the pipeline to its slate, and
 * a live scene without blurcam pauses the pipeline (no reading, no segmenting; the camera is released after a
 * while). Control events (control-event.ts) change the live scene's effect for the rest of the run.
 *
 * Every replacement image the scenes name is read when the director is made, so a wrong path stops `start` before
 * its loop; an image named by a control event is read when the event comes, and a bad one only refuses the event.
 */
export class SceneDirector {
  private readonly effects = new Map<string, EffectSpec>();
  private readonly images = new Map<string, Mat>();
  private readonly mainEffect: EffectSpec;
  /** The strength an event's blur starts from on a scene that did not blur: the first blur scene's as configured. */
  private readonly defaultStrength: number;
  private scene: ProgramScene | undefined;
  private appliedSpec: EffectSpec | undefined;
  private mode: PipelineMode = 'live';
  private driven: { pipeline: DirectedPipeline; compositor: DirectedCompositor } | undefined;

  /**
   * `scenes`: every scene blurcam manages, the main one (--scene) first (sceneDefinitions()). `log` gets one line
   * for the user per control event, applied or refused. Throws when a scene's background image cannot be read.
   */
  constructor(
    scenes: readonly SceneDefinition[],
    private readonly log: (line: string) => void,
  ) {
    this.mainEffect = scenes[0].effect;
    const blur = scenes.map((scene) => scene.effect).find((effect) => effect.kind === 'blur');
    this.defaultStrength = blur?.kind === 'blur' ? blur.strength : DEFAULT_BLUR_STRENGTH;
    for (const { name, effect } of scenes) {
      this.effects.set(name, effect);
      if (effect.kind === 'replace') this.effectOf(effect);
    }
  }

  /** From now on the live scene sets the pipeline's mode and the compositor's effect. */
  drive(pipeline: DirectedPipeline, compositor: DirectedCompositor): void {
    this.driven = { pipeline, compositor };
    this.apply();
  }

  get state(): DirectorState {
    return { sceneName: this.scene?.sceneName, showsBlurcam: this.scene?.showsBlurcam === true, effect: this.liveSpec(), mode: this.mode };
  }

  /** Applies what the live scene asks for: called at start and at every change of the live scene. */
  followScene(scene: ProgramScene | undefined): void {
    this.scene = scene;
    this.apply();
  }

  /**
   * OBS has just announced `sceneName` live, before the watcher has looked at what it shows: a "be right back" scene
   * of blurcam's puts the slate up at once, without that round trip. followScene() follows with the whole picture.
   */
  sceneAnnounced(sceneName: string): void {
    if (this.driven && this.effects.get(sceneName)?.kind === 'be-right-back') this.setMode('slate');
  }

  /**
   * A CustomEvent's `eventData` (or a request from the status page): acted on when addressed to blurcam and valid,
   * refused when not. Returns the line it logged, or undefined for another app's event.
   */
  handleEvent(eventData: unknown): string | undefined {
    const outcome = this.control(eventData);
    if (outcome !== undefined) this.log(outcome);
    return outcome;
  }

  private control(eventData: unknown): string | undefined {
    const parsed = parseControlEvent(eventData);
    if (parsed.kind === 'foreign') return undefined;
    if (parsed.kind === 'invalid') return refused(parsed.reason);
    const scene = this.scene;
    if (!scene?.showsBlurcam) return refused('the live scene does not show blurcam');
    const current = this.liveSpec();
    if (current.kind === 'be-right-back') return refused(`"${scene.sceneName}" is a be-right-back scene: switch scenes to show the camera`);
    const next = applyRequest(current, parsed.request, this.defaultStrength);
    try {
      this.effectOf(next);
    } catch (error) {
      return refused(describeError(error));
    }
    this.effects.set(scene.sceneName, next);
    this.apply();
    return `control: "${scene.sceneName}" now ${describeEffect(next)}.`;
  }

  private apply(): void {
    const compositor = this.driven?.compositor;
    if (!compositor) return;
    const scene = this.scene;
    if (!scene?.showsBlurcam) return this.setMode('paused');
    const spec = this.liveSpec();
    // The slate first: from this call on, no camera frame leaves.
    if (spec.kind === 'be-right-back') return this.setMode('slate');
    if (spec !== this.appliedSpec) {
      compositor.setEffect(this.effectOf(spec));
      this.appliedSpec = spec;
    }
    this.setMode('live');
  }

  private setMode(mode: PipelineMode): void {
    this.mode = mode;
    this.driven?.pipeline.setMode(mode);
  }

  /**
   * The effect of the live scene: its own, or for a scene of the user's own, that of the innermost scene of
   * blurcam's it shows the source through (nested "be right back" stays private), else the main scene's.
   */
  private liveSpec(): EffectSpec {
    const scene = this.scene;
    if (!scene) return this.mainEffect;
    const own = this.effects.get(scene.sceneName);
    if (own) return own;
    const nested = scene.shownThrough.findLast((name) => this.effects.has(name));
    return (nested !== undefined ? this.effects.get(nested) : undefined) ?? this.mainEffect;
  }

  private effectOf(spec: EffectSpec): Effect {
    switch (spec.kind) {
      case 'blur':
      case 'none':
        return spec;
      case 'replace':
        return { kind: 'replace', image: spec.background === undefined ? builtInBackdrop() : this.image(spec.background) };
      case 'be-right-back':
        throw new Error('SceneDirector: be-right-back is a mode, not an effect');
    }
  }

  private image(path: string): Mat {
    let image = this.images.get(path);
    if (!image) {
      image = readBackground(path);
      this.images.set(path, image);
    }
    return image;
  }
}

function refused(reason: string): string {
  return `control: event refused (${reason}); nothing changed.`;
}

/** The effect a control request makes of the current one (control-event.ts has checked the request). */
function applyRequest(current: EffectSpec, request: ControlRequest, defaultStrength: number): EffectSpec {
  const wantsBlur = request.blurStrength !== undefined || request.blurStrengthStep !== undefined;
  const kind = request.effect ?? (request.background !== undefined ? 'replace' : wantsBlur ? 'blur' : current.kind);
  if (kind === 'blur') {
    const base = current.kind === 'blur' ? current.strength : defaultStrength;
    const strength = request.blurStrength ?? Math.min(1, Math.max(0, base + (request.blurStrengthStep ?? 0)));
    return { kind: 'blur', strength: Math.round(strength * 1000) / 1000 };
  }
  if (kind === 'replace') return { kind: 'replace', background: request.background ?? (current.kind === 'replace' ? current.background : undefined) };
  return { kind: 'none' };
}

export function describeEffect(spec: EffectSpec): string {
  switch (spec.kind) {
    case 'blur':
      return `blur (strength ${spec.strength})`;
    case 'replace':
      return `replace the background (${spec.background ?? 'built-in backdrop'})`;
    case 'none':
      return 'none (pass-through)';
    case 'be-right-back':
      return 'be right back (slate, no camera)';
  }
}
