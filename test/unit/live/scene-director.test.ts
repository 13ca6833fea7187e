/**
 * The director between OBS's live scene (and control events) and a real pipeline: which mode and which effect
 * each scene gives, and which control events change what. OBS itself is in test/obs/scenes.test.ts.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Compositor } from '../../../src/composite/compositor.js';
import { parseControlEvent } from '../../../src/live/control-event.js';
import { sceneDefinitions } from '../../../src/live/scene-config.js';
import { SceneDirector } from '../../../src/live/scene-director.js';
import { cv } from '../../../src/opencv.js';
import { Pipeline } from '../../../src/pipeline/pipeline.js';
import { expectBlurcamError, thrownBlurcamError } from '../../support/expect-blurcam-error.js';
import { GatedSegmenter, ManualSource, RecordingSink } from '../../support/pipeline-fakes.js';

const SCENES = sceneDefinitions(undefined, { sceneName: 'blurcam', effect: 'blur', blurStrength: 0.5 });
/** The live scene as the watcher reports it, showing blurcam's source through `shownThrough` (itself by default). */
const shows = (sceneName: string, showsBlurcam = true, shownThrough = showsBlurcam ? [sceneName] : []) => ({ sceneName, showsBlurcam, shownThrough });

function setUp() {
  const lines: string[] = [];
  const compositor = new Compositor({ kind: 'blur', strength: 0.5 });
  const pipeline = new Pipeline({
    source: new ManualSource(),
    segmenter: new GatedSegmenter(false),
    compositor,
    sink: new RecordingSink(),
    slate: (width, height) => Buffer.alloc(width * height * 4),
  });
  const director = new SceneDirector(SCENES, (line) => lines.push(line));
  director.followScene(shows('blurcam'));
  director.drive(pipeline, compositor);
  return { director, pipeline, compositor, lines };
}

let stopPipeline: (() => void) | undefined;
afterEach(() => stopPipeline?.());

describe('SceneDirector', () => {
  it('gives each scene its mode and effect, and a scene of your own the main one', () => {
    const { director, pipeline, compositor } = setUp();
    stopPipeline = () => pipeline.stop();
    expect([pipeline.mode, compositor.effect]).toEqual(['live', { kind: 'blur', strength: 0.5 }]);

    director.followScene(shows('blurcam: camera'));
    expect([pipeline.mode, compositor.effect.kind]).toEqual(['live', 'none']);
    director.followScene(shows('blurcam: background'));
    expect([pipeline.mode, compositor.effect.kind]).toEqual(['live', 'replace']);
    director.followScene(shows('blurcam: be right back'));
    expect(pipeline.mode).toBe('slate');
    director.followScene(shows('Slides', false));
    expect(pipeline.mode).toBe('paused');
    director.followScene(shows('My talk'));
    expect([pipeline.mode, compositor.effect]).toEqual(['live', { kind: 'blur', strength: 0.5 }]);
    expect(director.state).toEqual({ sceneName: 'My talk', showsBlurcam: true, effect: { kind: 'blur', strength: 0.5 }, mode: 'live' });

    // A scene of your own nesting one of blurcam's takes its effect: a nested "be right back" stays private.
    director.followScene(shows('My talk', true, ['My talk', 'Corner', 'blurcam: be right back']));
    expect(pipeline.mode).toBe('slate');
    director.followScene(shows('My talk', true, ['My talk', 'blurcam: camera']));
    expect([pipeline.mode, compositor.effect.kind]).toEqual(['live', 'none']);
  });

  it('puts the slate up as soon as a be-right-back scene is announced, before what it shows is known', () => {
    const { director, pipeline } = setUp();
    stopPipeline = () => pipeline.stop();
    director.sceneAnnounced('blurcam: camera');
    expect(pipeline.mode).toBe('live');
    director.sceneAnnounced('blurcam: be right back');
    expect(pipeline.mode).toBe('slate');
    director.followScene(shows('blurcam: be right back'));
    expect(director.state.mode).toBe('slate');
  });

  it('changes the live scene\'s effect on a valid event, for the rest of the run', () => {
    const { director, pipeline, compositor, lines } = setUp();
    stopPipeline = () => pipeline.stop();
    director.handleEvent({ blurcam: { blurStrength: 0.9 } });
    expect(compositor.effect).toEqual({ kind: 'blur', strength: 0.9 });
    director.handleEvent({ blurcam: { blurStrengthStep: -0.25 } });
    expect(compositor.effect).toEqual({ kind: 'blur', strength: 0.65 });
    director.handleEvent({ blurcam: { blurStrengthStep: 1 } });
    expect(compositor.effect).toEqual({ kind: 'blur', strength: 1 });
    expect(lines.at(-1)).toBe('control: "blurcam" now blur (strength 1).');

    director.followScene(shows('blurcam: camera'));
    director.handleEvent({ blurcam: { effect: 'blur' } });
    expect(compositor.effect).toEqual({ kind: 'blur', strength: 0.5 });
    // Back on the main scene, its own change is still there.
    director.followScene(shows('blurcam'));
    expect(compositor.effect).toEqual({ kind: 'blur', strength: 1 });
  });

  it('refuses, with a line and no change, what it cannot act on', () => {
    const { director, pipeline, compositor, lines } = setUp();
    stopPipeline = () => pipeline.stop();
    const refused = [
      { blurcam: { blurStrength: 3 } },
      { blurcam: { effect: 'sepia' } },
      { blurcam: { effect: 'be-right-back' } },
      { blurcam: {} },
      { blurcam: 'blur' },
      { blurcam: { blurStrength: 0.2, effect: 'none' } },
      { blurcam: { background: '/no/such/image.png' } },
    ];
    for (const eventData of refused) director.handleEvent(eventData);
    expect(lines).toHaveLength(refused.length);
    expect(lines.every((line) => /^control: event refused \(.+\); nothing changed\.$/.test(line))).toBe(true);
    expect(lines[6]).toMatch(/no such file/);
    // Other apps' events are none of blurcam's business: not even a line.
    director.handleEvent({ scene: 'x' });
    director.handleEvent(null);
    expect(lines).toHaveLength(refused.length);

    director.followScene(shows('blurcam: be right back'));
    director.handleEvent({ blurcam: { effect: 'none' } });
    expect(pipeline.mode).toBe('slate');
    expect(lines.at(-1)).toMatch(/be-right-back scene/);
    director.followScene(shows('Slides', false));
    director.handleEvent({ blurcam: { effect: 'none' } });
    expect(lines.at(-1)).toMatch(/does not show blurcam/);
    director.followScene(shows('blurcam'));
    expect(compositor.effect).toEqual({ kind: 'blur', strength: 0.5 });
  });

  it('replaces the background with an image an event names', () => {
    const { director, pipeline, compositor } = setUp();
    stopPipeline = () => pipeline.stop();
    const folder = mkdtempSync(join(tmpdir(), 'blurcam-director-'));
    const path = join(folder, 'beach.png');
    cv.imwrite(path, new cv.Mat(8, 8, cv.CV_8UC3, [10, 120, 200]));
    director.handleEvent({ blurcam: { background: path } });
    expect(compositor.effect.kind).toBe('replace');
    expect(director.state.effect).toEqual({ kind: 'replace', background: path });
  });

  it('fails before the loop on a scene whose background image is missing', () => {
    const scenes = sceneDefinitions([{ name: 'Office', effect: 'replace', background: '/no/such/office.jpg' }], {
      sceneName: 'blurcam',
      effect: 'blur',
      blurStrength: 0.5,
    });
    expectBlurcamError(thrownBlurcamError(() => new SceneDirector(scenes, () => undefined)), 'PATH_NOT_FOUND', /office\.jpg: no such file/);
  });
});

describe('parseControlEvent', () => {
  it('reads the documented payloads', () => {
    expect(parseControlEvent({ blurcam: { effect: 'none' } })).toEqual({ kind: 'control', request: { effect: 'none' } });
    expect(parseControlEvent({ blurcam: { blurStrength: 0.3 } })).toEqual({ kind: 'control', request: { blurStrength: 0.3 } });
    expect(parseControlEvent({ other: 1 })).toEqual({ kind: 'foreign' });
    expect(parseControlEvent({ blurcam: { blurStrength: '0.3' } })).toMatchObject({ kind: 'invalid', reason: expect.stringMatching(/^blurStrength: /) });
    expect(parseControlEvent({ blurcam: { blurStrength: 0.3, blurStrengthStep: 0.1 } })).toMatchObject({ kind: 'invalid' });
  });
});
