/**
 * A one-place mailbox between two pipeline stages that keeps only the newest value. The producer never waits:
 * putting a value while the previous one is still unread replaces it, and the replaced value goes to `onDrop`
 * (to be counted). The consumer awaits `take()`. This is what keeps latency at about one frame whatever a stage
 * costs: nothing ever lines up behind a slow stage.
 */
export class LatestSlot<T> {
  private value: T | undefined;
  private full = false;
  private closed = false;
  private waiter: ((value: T | undefined) => void) | undefined;

  constructor(private readonly onDrop: (dropped: T) => void = () => {}) {}

  /** Whether a value is waiting to be taken. */
  get pending(): boolean {
    return this.full;
  }

  /** Hands a value over; returns false when it replaced one the consumer had not taken (that one is dropped). */
  put(value: T): boolean {
    if (this.closed) {
      this.onDrop(value);
      return false;
    }
    if (this.waiter) {
      const waiter = this.waiter;
      this.waiter = undefined;
      waiter(value);
      return true;
    }
    const replaced = this.full;
    if (replaced) this.onDrop(this.value as T);
    this.value = value;
    this.full = true;
    return !replaced;
  }

  /** The newest value, as soon as there is one; undefined once the slot is closed and empty. One taker at a time. */
  take(): Promise<T | undefined> {
    if (this.waiter) throw new Error('LatestSlot.take: a take is already pending');
    if (this.full) {
      const value = this.value as T;
      this.value = undefined;
      this.full = false;
      return Promise.resolve(value);
    }
    if (this.closed) return Promise.resolve(undefined);
    return new Promise((resolve) => (this.waiter = resolve));
  }

  /**
   * No more values will come. A value still waiting stays takeable (shutdown lets frames already captured go
   * through); a waiting taker is woken with undefined.
   */
  close(): void {
    this.closed = true;
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.(undefined);
  }
}
