/**
 * Removes the mask's specks on the grid: small islands of "person" away from the person, and small holes of
 * "background" inside them. The model gives them where a bit of the room looks like a person (a dark poster edge
 * beside hair) or a bit of the person looks like the room (a white label on a black helmet held in the hands); on
 * the picture they are sharp flecks in the blur, or the new background showing through the person.
 *
 * A region is a connected set of grid pixels on one side of the threshold: 8-connected for the person, 4-connected
 * for the background (the usual pairing, so that a diagonal line of person pixels closes a hole). A region is a
 * speck when it is at most `maxArea` pixels and does not touch the grid's edge: what touches the edge (a hand coming
 * into the picture, the room between a shoulder and the side) is left as the model saw it.
 *
 * Regions are found from runs (a row's stretches on one side of the threshold), joined row to row with union-find:
 * one comparison per pixel and a little work per run, where a pixel-by-pixel flood fill cost 1 ms a frame.
 */
import type { Size } from './preprocess.js';

/** The largest speck, as a share of the grid: 0.1 % of the frame, a 40x23 patch at 1280x720. */
export const SPECK_AREA_SHARE = 0.001;

export class SmallRegions {
  readonly maxArea: number;
  // Per run: its row, where it starts and ends (exclusive), whether it is person, and its parent in the union-find.
  private readonly row: Int32Array;
  private readonly start: Int32Array;
  private readonly end: Int32Array;
  private readonly person: Uint8Array;
  private readonly parent: Int32Array;
  /** Per root run: the region's area and whether it touches the grid's edge. */
  private readonly area: Int32Array;
  private readonly edge: Uint8Array;

  constructor(
    private readonly grid: Size,
    areaShare = SPECK_AREA_SHARE,
  ) {
    const pixels = grid.width * grid.height;
    this.maxArea = Math.max(1, Math.floor(pixels * areaShare));
    // At most one run a pixel (a grid that alternates at every pixel).
    this.row = new Int32Array(pixels);
    this.start = new Int32Array(pixels);
    this.end = new Int32Array(pixels);
    this.person = new Uint8Array(pixels);
    this.parent = new Int32Array(pixels);
    this.area = new Int32Array(pixels);
    this.edge = new Uint8Array(pixels);
  }

  /**
   * Sets the islands' probability to 0 and the holes' to 1, in place, so that the mask made from `prob` has
   * neither; returns how many pixels changed.
   */
  remove(prob: Float32Array, threshold: number): number {
    const { width, height } = this.grid;
    const { row, start, end, person, parent, area, edge } = this;
    let runs = 0;
    let previousFirst = 0;
    for (let y = 0; y < height; y++) {
      const first = runs;
      const offset = y * width;
      let x = 0;
      while (x < width) {
        const isPerson = prob[offset + x] >= threshold;
        const from = x;
        x++;
        if (isPerson) while (x < width && prob[offset + x] >= threshold) x++;
        else while (x < width && !(prob[offset + x] >= threshold)) x++;
        row[runs] = y;
        start[runs] = from;
        end[runs] = x;
        person[runs] = isPerson ? 1 : 0;
        parent[runs] = runs;
        runs++;
      }
      // Join each run to the runs of the row above it touches: sideways or diagonally for the person, only
      // directly above for the background. Both rows cover the width in order, so one pointer walks the row above.
      let above = previousFirst;
      for (let r = first; y > 0 && r < runs; r++) {
        while (above < first && end[above] < start[r]) above++;
        for (let q = above; q < first && start[q] <= end[r]; q++) {
          if (person[q] !== person[r]) continue;
          if (person[r] === 0 && !(start[q] < end[r] && end[q] > start[r])) continue;
          this.join(q, r);
        }
      }
      previousFirst = first;
    }
    area.fill(0, 0, runs);
    edge.fill(0, 0, runs);
    for (let r = 0; r < runs; r++) {
      const root = this.root(r);
      area[root] += end[r] - start[r];
      if (row[r] === 0 || row[r] === height - 1 || start[r] === 0 || end[r] === width) edge[root] = 1;
    }
    let changed = 0;
    for (let r = 0; r < runs; r++) {
      const root = this.root(r);
      if (edge[root] === 1 || area[root] > this.maxArea) continue;
      const offset = row[r] * width;
      prob.fill(person[r] === 1 ? 0 : 1, offset + start[r], offset + end[r]);
      changed += end[r] - start[r];
    }
    return changed;
  }

  private root(run: number): number {
    const { parent } = this;
    let root = run;
    while (parent[root] !== root) root = parent[root];
    // Flattened on the way: the passes after the joining find each root in one step.
    while (parent[run] !== root) {
      const next = parent[run];
      parent[run] = root;
      run = next;
    }
    return root;
  }

  private join(a: number, b: number): void {
    const rootA = this.root(a);
    const rootB = this.root(b);
    if (rootA !== rootB) this.parent[Math.max(rootA, rootB)] = Math.min(rootA, rootB);
  }
}
