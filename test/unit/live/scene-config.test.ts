import { describe, expect, it } from 'vitest';
import { DEFAULT_SCENES, sceneDefinitions } from '../../../src/live/scene-config.js';
import { expectBlurcamError, thrownBlurcamError } from '../../support/expect-blurcam-error.js';

const MAIN = { sceneName: 'blurcam', effect: 'blur', blurStrength: 0.4 };

describe('sceneDefinitions', () => {
  it('makes the main scene from the flags and the three default scenes when the config says nothing', () => {
    const scenes = sceneDefinitions(undefined, MAIN);
    expect(scenes.map((scene) => scene.name)).toEqual(['blurcam', ...DEFAULT_SCENES.map((scene) => scene.name)]);
    expect(scenes.map((scene) => scene.effect)).toEqual([
      { kind: 'blur', strength: 0.4 },
      { kind: 'replace', background: undefined },
      { kind: 'none' },
      { kind: 'be-right-back' },
    ]);
  });

  it("takes the config file's list, filling in --blur-strength and --background", () => {
    const scenes = sceneDefinitions(
      [
        { name: 'Soft', effect: 'blur' },
        { name: 'Strong', effect: 'blur', blurStrength: 1 },
        { name: 'Office', effect: 'replace', background: '/pictures/office.jpg' },
        { name: 'Beach', effect: 'replace' },
      ],
      { ...MAIN, background: '/pictures/beach.jpg' },
    );
    expect(scenes.slice(1)).toEqual([
      { name: 'Soft', effect: { kind: 'blur', strength: 0.4 } },
      { name: 'Strong', effect: { kind: 'blur', strength: 1 } },
      { name: 'Office', effect: { kind: 'replace', background: '/pictures/office.jpg' } },
      { name: 'Beach', effect: { kind: 'replace', background: '/pictures/beach.jpg' } },
    ]);
    expect(sceneDefinitions([], MAIN)).toHaveLength(1);
    // --scenes and BLURCAM_SCENES give it as JSON text.
    expect(sceneDefinitions('[{"name": "Plain", "effect": "none"}]', MAIN).slice(1)).toEqual([{ name: 'Plain', effect: { kind: 'none' } }]);
    const error = thrownBlurcamError(() => sceneDefinitions('[{"name": ', MAIN));
    expectBlurcamError(error, 'BAD_OPTION', /^--scenes is not JSON: /);
  });

  it.each([
    ['not a list', { name: 'x' }, /scenes is not valid: .*expected array/i],
    ['an unknown effect', [{ name: 'x', effect: 'sepia' }], /scenes\[0\]\.effect is not valid/],
    ['a strength out of range', [{ name: 'x', effect: 'blur', blurStrength: 2 }], /scenes\[0\]\.blurStrength is not valid/],
    ['a strength on a replace scene', [{ name: 'x', effect: 'replace', blurStrength: 0.2 }], /blurStrength belongs to a "blur" scene/],
    ['an unknown key', [{ name: 'x', effect: 'none', colour: 'red' }], /scenes\[0\] is not valid: .*colour/i],
    ['an empty name', [{ name: ' ', effect: 'none' }], /a scene needs a name/],
    ['two scenes of one name', [{ name: 'x', effect: 'none' }, { name: 'x', effect: 'blur' }], /two scenes have the same name/],
  ])('refuses %s, naming the place', (_, scenes, message) => {
    expectBlurcamError(thrownBlurcamError(() => sceneDefinitions(scenes, MAIN)), 'BAD_CONFIG_FILE', message);
  });

  it('refuses a listed scene named like the --scene scene', () => {
    const error = thrownBlurcamError(() => sceneDefinitions([{ name: 'blurcam', effect: 'none' }], MAIN));
    expectBlurcamError(error, 'BAD_CONFIG_FILE', /scene list names "blurcam", the scene --scene names/);
  });
});
