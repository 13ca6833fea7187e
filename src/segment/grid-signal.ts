/**
 * How the main thread and the grid thread (grid-thread.ts, grid-worker.ts) hand a frame over: a few Int32 words in
 * shared memory, waited on with Atomics. The main thread writes the frame's plan, then its number in REQUEST; the
 * grid thread, waiting on REQUEST, does the frame and writes its number in ANSWER (negated if the work failed),
 * which the main thread waits on. A message each way cost 0.1-0.2 ms of wake-up on these machines, twice a frame;
 * a futex wake costs a few hundredths.
 */
import type { FramePlan } from './video-views.js';

/** The number of the frame asked for (1, 2, ...), written last; -1 tells the grid thread to stop. */
export const REQUEST = 0;
/** The frame's plan: its kind (0 all, 1 whole, 2 tile) and the whole view's or the tile's index. */
const PLAN_KIND = 1;
const PLAN_INDEX = 2;
/** The number of the last frame done, negated when its work failed. */
export const ANSWER = 3;
/** 1 while the main thread waits on its event loop: the grid thread then also posts a message after answering. */
export const WANTS_MESSAGE = 4;
export const CONTROL_WORDS = 5;

export const STOP = -1;

export function writePlan(control: Int32Array, plan: FramePlan): void {
  Atomics.store(control, PLAN_KIND, plan.kind === 'all' ? 0 : plan.kind === 'whole' ? 1 : 2);
  Atomics.store(control, PLAN_INDEX, plan.kind === 'whole' ? plan.view : plan.kind === 'tile' ? plan.index : 0);
}

export function readPlan(control: Int32Array): FramePlan {
  const kind = Atomics.load(control, PLAN_KIND);
  const index = Atomics.load(control, PLAN_INDEX);
  if (kind === 0) return { kind: 'all' };
  return kind === 1 ? { kind: 'whole', view: index } : { kind: 'tile', index };
}
