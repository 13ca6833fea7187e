import type { Mat } from '../opencv.js';

/** What happens to the background. */
export type Effect =
  /** Blurred, `strength` from 0 (barely) to 1 (very). */
  | { readonly kind: 'blur'; readonly strength: number }
  /** Replaced by `image` (8-bit BGR, any size: scaled to cover the frame). */
  | { readonly kind: 'replace'; readonly image: Mat }
  /** Left as it is (the frame passes through). */
  | { readonly kind: 'none' };
