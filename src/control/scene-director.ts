import { builtInBackdrop } from '../composite/backdrop.js';
import type { Effect } from '../composite/effect.js';
import { readBackground } from '../composite/load-effect.js';
import { describeError } from '../errors.js';
import type { Mat } from '../opencv.js';
import type { PipelineMode } from '../pipeline/pipeline.js';
import { type ControlRequest, parseControlEvent } from './control-event.js';
import type { ProgramScene } from './program-scene.js';
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

  /** A CustomEvent's `eventData`: acted on when addressed to blurcam and valid, refused with a log line when not. */
  handleEvent(eventData: unknown): void {
    const parsed = parseControlEvent(eventData);
    if (parsed.kind === 'foreign') return;
    if (parsed.kind === 'invalid') {
      this.log(`control: event refused (${parsed.reason}); nothing changed.`);
      return;
    }
    const scene = this.scene;
    if (!scene?.showsBlurcam) {
      this.log('control: event refused (the live scene does not show blurcam); nothing changed.');
      return;
    }
    const current = this.liveSpec();
    if (current.kind === 'be-right-back') {
      this.log(`control: event refused ("${scene.sceneName}" is a be-right-back scene: switch scenes to show the camera); nothing changed.`);
      return;
    }
    const next = applyRequest(current, parsed.request, this.defaultStrength);
    try {
      this.effectOf(next);
    } catch (error) {
      this.log(`control: event refused (${describeError(error)}); nothing changed.`);
      return;
    }
    this.effects.set(scene.sceneName, next);
    this.apply();
    this.log(`control: "${scene.sceneName}" now ${describeEffect(next)}.`);
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

  /** The effect of the live scene: its own, or the main scene's for a scene of the user's own. */
  private liveSpec(): EffectSpec {
    const name = this.scene?.sceneName;
    return (name !== undefined ? this.effects.get(name) : undefined) ?? this.mainEffect;
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
