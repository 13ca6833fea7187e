/**
 * Fine control from any obs-websocket client (a Stream Deck or Companion button, a script): the client sends
 * obs-websocket's BroadcastCustomEvent, OBS passes its `eventData` to every connected client as a CustomEvent,
 * and blurcam acts on the ones addressed to it (docs/stream-deck.md):
 *
 *   {"requestType": "BroadcastCustomEvent", "requestData": {"eventData": {"blurcam": {"blurStrength": 0.8}}}}
 *
 * Events without a "blurcam" key belong to other apps and are none of blurcam's business; one with the key that
 * does not follow the schema is refused as a whole, with the reason, and changes nothing.
 */
import { z } from 'zod';

const controlSchema = z
  .object({
    /** The live scene's effect from now on ('be-right-back' is a scene's, not a button's: see docs). */
    effect: z.enum(['blur', 'replace', 'none']).optional(),
    /** 0 (barely) to 1 (very); makes the effect 'blur' unless `effect` says otherwise. */
    blurStrength: z.number().min(0).max(1).optional(),
    /** Added to the blur strength, which stays within 0..1: for "more" and "less" buttons or a dial. */
    blurStrengthStep: z.number().min(-1).max(1).optional(),
    /** An image path on this computer; makes the effect 'replace'. */
    background: z.string().min(1).max(4096).optional(),
  })
  .strict()
  .refine((control) => Object.keys(control).length > 0, { message: 'it asks for nothing' })
  .refine((control) => control.blurStrength === undefined || control.blurStrengthStep === undefined, {
    message: 'give blurStrength or blurStrengthStep, not both',
  })
  .refine((control) => !(control.background !== undefined && control.effect !== undefined && control.effect !== 'replace'), {
    message: 'a background goes with the "replace" effect',
  })
  .refine(
    (control) => !((control.blurStrength !== undefined || control.blurStrengthStep !== undefined) && control.effect !== undefined && control.effect !== 'blur'),
    { message: 'a blur strength goes with the "blur" effect' },
  );

export type ControlRequest = z.infer<typeof controlSchema>;

export type ParsedControlEvent =
  /** Not addressed to blurcam. */
  | { kind: 'foreign' }
  | { kind: 'invalid'; reason: string }
  | { kind: 'control'; request: ControlRequest };

/** The CustomEvent's `eventData` as blurcam reads it. */
export function parseControlEvent(eventData: unknown): ParsedControlEvent {
  if (eventData === null || typeof eventData !== 'object' || !('blurcam' in eventData)) return { kind: 'foreign' };
  const parsed = controlSchema.safeParse((eventData as { blurcam: unknown }).blurcam);
  if (parsed.success) return { kind: 'control', request: parsed.data };
  const [issue] = parsed.error.issues;
  const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  return { kind: 'invalid', reason: `${where}${issue.message}` };
}
