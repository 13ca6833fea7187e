/** Buckets grow by 1 %, so a percentile read from them is within 1 % of the true value. */
const GROWTH = 1.01;
const LOG_GROWTH = Math.log(GROWTH);
/** The smallest time told apart (1 µs) and the bucket count reaching past 100 s. */
const FLOOR_MS = 0.001;
const BUCKETS = Math.ceil(Math.log(100_000 / FLOOR_MS) / LOG_GROWTH) + 1;

/**
 * Durations in milliseconds, kept as a log-scale histogram: fixed memory however long blurcam runs, and median or
 * p95 at any moment without sorting.
 */
export class LatencyHistogram {
  private readonly counts = new Uint32Array(BUCKETS);
  private total = 0;

  get count(): number {
    return this.total;
  }

  record(durationMs: number): void {
    const index = durationMs <= FLOOR_MS ? 0 : Math.min(BUCKETS - 1, Math.floor(Math.log(durationMs / FLOOR_MS) / LOG_GROWTH));
    this.counts[index]++;
    this.total++;
  }

  /** The duration below which `fraction` (0..1) of the recorded ones fall; NaN when nothing was recorded. */
  percentile(fraction: number): number {
    if (this.total === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil(fraction * this.total));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i];
      if (seen >= rank) return i === 0 ? FLOOR_MS : FLOOR_MS * GROWTH ** (i + 0.5);
    }
    return Number.NaN;
  }

  reset(): void {
    this.counts.fill(0);
    this.total = 0;
  }
}
