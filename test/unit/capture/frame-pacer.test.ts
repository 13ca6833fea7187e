import { describe, expect, it } from 'vitest';
import { FramePacer } from '../../../src/capture/frame-pacer.js';

describe('FramePacer', () => {
  it('waits until each frame is due, like a camera at that rate', async () => {
    const waits: number[] = [];
    const pacer = new FramePacer(25, async (ms) => waits.push(ms));
    const first = await pacer.next();
    const second = await pacer.next();
    const third = await pacer.next();
    expect([first.index, second.index, third.index]).toEqual([0, 1, 2]);
    expect(second.dueNs - first.dueNs).toBe(40_000_000n);
    expect(third.dueNs - first.dueNs).toBe(80_000_000n);
    expect(waits.length).toBe(2);
    for (const ms of waits) expect(ms).toBeGreaterThan(30);
  });

  it('skips the frames a late reader missed instead of bursting to catch up', async () => {
    const pacer = new FramePacer(100, async () => undefined);
    await pacer.next();
    await new Promise((resolve) => setTimeout(resolve, 60));
    const late = await pacer.next();
    expect(late.index).toBeGreaterThanOrEqual(5);
    const after = await pacer.next();
    expect(after.index).toBe(late.index + 1);
  });
});
