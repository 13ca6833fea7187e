/**
 * The one error type blurcam raises on purpose. Every failure a user can meet carries a stable `code`
 * (tests and scripts match on it), a one-line `message` saying what went wrong, and a one-line `hint`
 * saying how to fix it. Only src/cli.ts prints errors and sets the exit code.
 */
export type BlurcamErrorCode =
  // configuration and flags
  | 'BAD_OPTION'
  | 'BAD_CONFIG_FILE'
  // files and images
  | 'PATH_NOT_FOUND'
  | 'IMAGE_UNREADABLE'
  | 'IMAGE_TOO_LARGE'
  | 'NO_IMAGES'
  | 'PHOTOS_FAILED'
  | 'OUTPUT_UNWRITABLE'
  | 'OUTPUT_EXISTS'
  | 'OUTPUT_IS_INPUT'
  | 'OUTPUT_NAME_CLASH'
  // models
  | 'MODEL_NOT_FOUND'
  | 'MODEL_INVALID'
  | 'MODEL_CONTRACT'
  | 'UNSUPPORTED_TFLITE'
  | 'DEVICE_UNAVAILABLE'
  // camera and inputs
  | 'CAMERA_NOT_FOUND'
  | 'CAMERA_BUSY'
  | 'CAMERA_PERMISSION'
  | 'CAMERA_NO_FRAMES'
  | 'CAMERA_LOST'
  | 'VIDEO_UNREADABLE'
  // OBS
  | 'OBS_UNREACHABLE'
  | 'OBS_AUTH_FAILED'
  | 'OBS_TOO_OLD'
  | 'OBS_PLUGIN_MISSING'
  | 'OBS_LAUNCH_FAILED'
  | 'OBS_RUNNING'
  | 'OBS_REQUEST_FAILED'
  | 'VIRTUALCAM_UNAVAILABLE'
  // transport
  | 'ENDPOINT_INVALID'
  | 'ENDPOINT_UNSAFE'
  | 'FRAME_LINK_KEYS'
  | 'CURVE_UNAVAILABLE'
  | 'FRAME_TOO_LARGE'

  // the running blurcam (status, stop, one at a time)
  | 'ALREADY_RUNNING'
  | 'NOT_RUNNING';

export class BlurcamError extends Error {
  override readonly name = 'BlurcamError';

  constructor(
    readonly code: BlurcamErrorCode,
    message: string,
    /** How to fix it, as one line a user can act on. */
    readonly hint: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isBlurcamError(error: unknown, code?: BlurcamErrorCode): error is BlurcamError {
  return error instanceof BlurcamError && (code === undefined || error.code === code);
}

/** The message of any thrown value, for wrapping causes into our own errors. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
