import { expect } from 'vitest';
import { BlurcamError } from '../../src/errors.js';

/** Checks `error` is a BlurcamError with this code, a message matching `message`, and a hint. */
export function expectBlurcamError(error: unknown, code: string, message: RegExp): BlurcamError {
  expect(error).toBeInstanceOf(BlurcamError);
  const blurcamError = error as BlurcamError;
  expect(blurcamError.code).toBe(code);
  expect(blurcamError.message).toMatch(message);
  expect(blurcamError.hint.length).toBeGreaterThan(10);
  return blurcamError;
}

/** Runs `work` and checks it throws (or rejects with) the expected BlurcamError. */
export async function expectFailure(work: () => unknown, code: string, message: RegExp): Promise<BlurcamError> {
  try {
    await work();
  } catch (error) {
    return expectBlurcamError(error, code, message);
  }
  throw new Error(`expected a BlurcamError ${code}`);
}

/** Runs `work`, which must throw synchronously, and returns the BlurcamError it threw. */
export function thrownBlurcamError(work: () => unknown): BlurcamError {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(BlurcamError);
    return error as BlurcamError;
  }
  throw new Error('expected a BlurcamError');
}
