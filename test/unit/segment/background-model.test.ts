import { describe, expect, it } from 'vitest';
import { BackgroundModel } from '../../../src/segment/background-model.js';

const PIXELS = 100;

/** A frame of PIXELS pixels, every pixel the same BGR colour except those `change` gives another. */
function frame(bgr: [number, number, number], change: (i: number) => [number, number, number] | undefined = () => undefined): Uint8Array {
  const out = new Uint8Array(PIXELS * 3);
  for (let i = 0; i < PIXELS; i++) out.set(change(i) ?? bgr, i * 3);
  return out;
}

function probs(value: number | ((i: number) => number)): Float32Array {
  return Float32Array.from({ length: PIXELS }, (_, i) => (typeof value === 'number' ? value : value(i)));
}

/** A wall with a poster: pixels 0..19 are the poster's dark patch, the rest pale wall. */
const scene = frame([200, 210, 220], (i) => (i < 20 ? [30, 30, 40] : undefined));

describe('BackgroundModel', () => {
  it('takes a patch the model once saw as background for background when it later calls it person', () => {
    const model = new BackgroundModel(PIXELS);
    for (let i = 0; i < 12; i++) model.apply(scene, probs(0.05));
    const prob = probs((i) => (i < 20 ? 0.9 : 0.05));
    model.apply(scene, prob);
    expect(prob[0]).toBeLessThan(0.1);
  });

  it('never lowers a person who sits still, whom the model always calls person', () => {
    const model = new BackgroundModel(PIXELS);
    const person = (i: number) => (i >= 50 ? 0.95 : 0.05);
    let prob = probs(person);
    for (let i = 0; i < 60; i++) {
      prob = probs(person);
      model.apply(scene, prob);
    }
    expect(prob[70]).toBeCloseTo(0.95, 5);
  });

  it('leaves a person alone who steps in front of a learned background', () => {
    const model = new BackgroundModel(PIXELS);
    for (let i = 0; i < 12; i++) model.apply(scene, probs(0.05));
    const withPerson = frame([200, 210, 220], (i) => (i < 20 ? [30, 30, 40] : i >= 60 && i < 80 ? [90, 120, 200] : undefined));
    const prob = probs((i) => (i >= 60 && i < 80 ? 0.9 : 0.05));
    model.apply(withPerson, prob);
    expect(prob[70]).toBeCloseTo(0.9, 5);
  });

  it('follows a slow exposure change', () => {
    const model = new BackgroundModel(PIXELS);
    for (let i = 0; i < 12; i++) model.apply(scene, probs(0.05));
    const brighter = scene.map((value) => Math.round(value * 1.15));
    const prob = probs((i) => (i < 20 ? 0.9 : 0.05));
    model.apply(brighter, prob);
    expect(prob[0]).toBeLessThan(0.1);
    expect(model.lastMatchShare).toBeGreaterThan(0.9);
  });

  it('forgets what it learned when the camera moves, instead of matching the old scene', () => {
    const model = new BackgroundModel(PIXELS);
    for (let i = 0; i < 12; i++) model.apply(scene, probs(0.05));
    // the camera turned: a different scene where the poster's patch colour happens to fall on pixel 90
    const elsewhere = frame([60, 160, 90], (i) => (i === 90 ? [200, 210, 220] : undefined));
    const prob = probs(0.9);
    model.apply(elsewhere, prob);
    expect(prob[90]).toBeCloseTo(0.9, 5);
    expect(model.lastMatchShare).toBe(1);
  });
});
