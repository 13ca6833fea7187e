/**
 * The scenes blurcam creates in OBS and the effect each one puts on the camera: the `scenes` key of the config
 * file (docs/configuration.md#scenes). The scene named by --scene always exists and takes its effect from
 * --effect, --blur-strength and --background; `scenes` lists the others. Left out, blurcam makes three:
 * "blurcam: background", "blurcam: camera" and "blurcam: be right back".
 */
import { z } from 'zod';
import { BlurcamError, describeError } from '../errors.js';

/** What a scene does with the camera. 'be-right-back' sends a slate instead: no camera pixel leaves blurcam. */
export const SCENE_EFFECTS = ['blur', 'replace', 'none', 'be-right-back'] as const;
export type SceneEffectKind = (typeof SCENE_EFFECTS)[number];

/** An effect as configured: images are named by path and loaded when the scene is first used. */
export type EffectSpec =
  | { kind: 'blur'; strength: number }
  /** `background` absent: blurcam's built-in backdrop. */
  | { kind: 'replace'; background?: string }
  | { kind: 'none' }
  | { kind: 'be-right-back' };

export interface SceneDefinition {
  name: string;
  effect: EffectSpec;
}

/** OBS accepts longer names; a Stream Deck key shows a few words at most. */
const MAX_NAME_LENGTH = 100;
const MAX_SCENES = 16;

const sceneEntrySchema = z
  .object({
    name: z.string().trim().min(1, 'a scene needs a name').max(MAX_NAME_LENGTH),
    effect: z.enum(SCENE_EFFECTS),
    blurStrength: z.number().min(0).max(1).optional(),
    background: z.string().min(1).optional(),
  })
  .strict()
  .refine((entry) => entry.blurStrength === undefined || entry.effect === 'blur', {
    message: 'blurStrength belongs to a "blur" scene',
    path: ['blurStrength'],
  })
  .refine((entry) => entry.background === undefined || entry.effect === 'replace', {
    message: 'background belongs to a "replace" scene',
    path: ['background'],
  });

/** The `scenes` value of the config file: a list of distinct scenes. */
export const scenesSchema = z
  .array(sceneEntrySchema)
  .max(MAX_SCENES)
  .refine((entries) => new Set(entries.map((entry) => entry.name)).size === entries.length, { message: 'two scenes have the same name' });

export type SceneEntry = z.infer<typeof sceneEntrySchema>;

/** The extra scenes blurcam makes when the config file does not say. */
export const DEFAULT_SCENES: readonly SceneEntry[] = [
  { name: 'blurcam: background', effect: 'replace' },
  { name: 'blurcam: camera', effect: 'none' },
  { name: 'blurcam: be right back', effect: 'be-right-back' },
];

/** What --effect, --blur-strength and --background give the main scene (they were checked at the edge). */
export interface MainSceneOptions {
  sceneName: string;
  effect: string;
  blurStrength: number;
  background?: string;
}

/**
 * Every scene blurcam manages, the main one (--scene) first. `scenes` is the config file's value (undefined: the
 * defaults). A blur scene without its own strength takes --blur-strength; a replace scene without its own image
 * takes --background, or the built-in backdrop. Throws BAD_CONFIG_FILE naming the first thing wrong.
 */
export function sceneDefinitions(scenes: unknown, main: MainSceneOptions): SceneDefinition[] {
  const parsed = scenesSchema.safeParse(typeof scenes === 'string' ? parseJson(scenes) : (scenes ?? DEFAULT_SCENES));
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    const where = issue.path.map((key) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`)).join('');
    throw new BlurcamError(
      'BAD_CONFIG_FILE',
      `The scene list's scenes${where} is not valid: ${issue.message}.`,
      'Write "scenes" as a list of {"name": "...", "effect": "blur" | "replace" | "none" | "be-right-back"} (docs/configuration.md#scenes).',
    );
  }
  const mainScene: SceneDefinition = { name: main.sceneName, effect: mainEffect(main) };
  const others = parsed.data.map((entry) => ({ name: entry.name, effect: entryEffect(entry, main) }));
  if (others.some((scene) => scene.name === main.sceneName)) {
    throw new BlurcamError(
      'BAD_CONFIG_FILE',
      `The scene list names "${main.sceneName}", the scene --scene names.`,
      'Give that entry another name: the --scene scene takes its effect from --effect, --blur-strength and --background.',
    );
  }
  return [mainScene, ...others];
}

/** --scenes and BLURCAM_SCENES give the list as JSON text. */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new BlurcamError('BAD_OPTION', `--scenes is not JSON: ${describeError(error)}.`, 'Give a JSON list such as [{"name": "blurcam: camera", "effect": "none"}], or set "scenes" in the config file.');
  }
}

function mainEffect({ effect, blurStrength, background }: MainSceneOptions): EffectSpec {
  if (background) return { kind: 'replace', background };
  if (effect === 'none') return { kind: 'none' };
  if (effect === 'replace') return { kind: 'replace' };
  return { kind: 'blur', strength: blurStrength };
}

function entryEffect(entry: SceneEntry, main: MainSceneOptions): EffectSpec {
  switch (entry.effect) {
    case 'blur':
      return { kind: 'blur', strength: entry.blurStrength ?? main.blurStrength };
    case 'replace':
      return { kind: 'replace', background: entry.background ?? (main.background || undefined) };
    case 'none':
      return { kind: 'none' };
    case 'be-right-back':
      return { kind: 'be-right-back' };
  }
}
