import { describe, expect, it } from 'vitest';
import { LatestSlot } from '../../../src/pipeline/latest-slot.js';

describe('LatestSlot', () => {
  it('hands a value to a waiting taker', async () => {
    const slot = new LatestSlot<number>();
    const taken = slot.take();
    expect(slot.put(1)).toBe(true);
    await expect(taken).resolves.toBe(1);
    expect(slot.pending).toBe(false);
  });

  it('keeps only the newest value and drops the ones it replaces', async () => {
    const dropped: number[] = [];
    const slot = new LatestSlot<number>((value) => dropped.push(value));
    expect(slot.put(1)).toBe(true);
    expect(slot.put(2)).toBe(false);
    expect(slot.put(3)).toBe(false);
    expect(dropped).toEqual([1, 2]);
    await expect(slot.take()).resolves.toBe(3);
    expect(slot.pending).toBe(false);
  });

  it('lets a value put before closing be taken, then gives undefined', async () => {
    const slot = new LatestSlot<number>();
    slot.put(7);
    slot.close();
    await expect(slot.take()).resolves.toBe(7);
    await expect(slot.take()).resolves.toBeUndefined();
  });

  it('wakes a waiting taker on close and drops values put after it', async () => {
    const dropped: number[] = [];
    const slot = new LatestSlot<number>((value) => dropped.push(value));
    const taken = slot.take();
    slot.close();
    await expect(taken).resolves.toBeUndefined();
    expect(slot.put(5)).toBe(false);
    expect(dropped).toEqual([5]);
  });

  it('refuses a second concurrent taker', () => {
    const slot = new LatestSlot<number>();
    void slot.take();
    expect(() => slot.take()).toThrow(/already pending/);
  });
});
