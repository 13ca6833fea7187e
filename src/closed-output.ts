/**
 * When whoever reads blurcam's output goes away (`blurcam start | head`, a closed terminal, a log reader that
 * quit), writing to stdout or stderr fails with EPIPE. Node reports that as an 'error' event, which would end the
 * process with a stack trace. blurcam treats it like Ctrl-C instead: the running command stops cleanly (`start`
 * shuts its pipeline down, `segment` writes no further mask), and the exit code is 141, what a shell reports for
 * a program ended by SIGPIPE (128 + 13).
 */
export const EXIT_OUTPUT_CLOSED = 141;

const closed = new AbortController();

/** Aborted once stdout or stderr can no longer be written; commands stop when it fires. */
export const outputClosed: AbortSignal = closed.signal;

/** Watches the streams (once per process, from src/cli.ts); any write error means nobody is reading. */
export function watchForClosedOutput(streams: NodeJS.WritableStream[] = [process.stdout, process.stderr]): void {
  for (const stream of streams) stream.on('error', () => closed.abort());
}
