/**
 * blurcam's command line. The only place that prints errors and sets the exit code: commands throw
 * BlurcamError and this file turns it into two lines a user can act on.
 */
import yargs, { type MiddlewareFunction } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { benchCommand } from './commands/bench.js';
import { configureObsCommand } from './commands/configure-obs.js';
import { devicesCommand } from './commands/devices.js';
import { doctorCommand } from './commands/doctor.js';
import { recordCommand } from './commands/record.js';
import { segmentCommand } from './commands/segment.js';
import { startCommand } from './commands/start.js';
import { statusCommand } from './commands/status.js';
import { stopCommand } from './commands/stop.js';
import { scenesCommand } from './commands/scenes.js';
import { EXIT_OUTPUT_CLOSED, outputClosed, watchForClosedOutput } from './closed-output.js';
import { checkOptions, defaultConfigPath, loadConfigFile, type OptionOrigins, optionsFromEnv } from './config.js';
import { BlurcamError, isBlurcamError } from './errors.js';

/** Exit codes: 1 for a failure at run time, 2 for a bad command line or config value. */
const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;

/** Finds --config before yargs runs, so the file's values can sit below flags and env in precedence. */
function configPathFrom(args: string[], env: NodeJS.ProcessEnv): { path: string; explicit: boolean } {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--config' && i + 1 < args.length) return { path: args[i + 1], explicit: true };
    if (arg.startsWith('--config=')) return { path: arg.slice('--config='.length), explicit: true };
  }
  if (env.BLURCAM_CONFIG) return { path: env.BLURCAM_CONFIG, explicit: true };
  return { path: defaultConfigPath(env), explicit: false };
}

/**
 * The config file and BLURCAM_* variables hold options for every command (the OBS password, say), while
 * each command declares only its own: drop the values a command does not take, so strict option checking
 * still catches mistyped flags without rejecting a shared config file.
 */
function dropOptionsTheCommandLacks(config: Record<string, unknown>): MiddlewareFunction {
  // yargs passes the running command's parser as a second argument, which @types/yargs 17 does not declare.
  const middleware = (argv: Record<string, unknown>, command: { getOptions(): { key: Record<string, unknown> } }): void => {
    const declared = command.getOptions().key;
    for (const [option, value] of Object.entries(config)) {
      if (option in declared || argv[option] !== value) continue;
      delete argv[option];
      delete argv[option.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase())];
    }
  };
  return middleware as unknown as MiddlewareFunction;
}

export function printError(error: unknown, stderr: NodeJS.WritableStream = process.stderr): number {
  if (isBlurcamError(error)) {
    stderr.write(`blurcam: ${error.message}\n`);
    stderr.write(`  fix: ${error.hint}\n`);
    if (process.env.BLURCAM_DEBUG && error.cause) stderr.write(`  cause: ${String(error.cause)}\n`);
    return error.code === 'BAD_OPTION' || error.code === 'BAD_CONFIG_FILE' ? EXIT_USAGE : EXIT_FAILURE;
  }
  stderr.write(`blurcam: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  stderr.write('  fix: this is a bug in blurcam; please report it with the lines above.\n');
  return EXIT_FAILURE;
}

export async function main(args: string[] = hideBin(process.argv), env: NodeJS.ProcessEnv = process.env): Promise<number> {
  // Flags > BLURCAM_* env > config file > defaults: yargs puts flags above any config object. Values from the file
  // and the environment are checked as they are read; flags once yargs has parsed them (checkOptions).
  let origins: OptionOrigins;
  try {
    const { path, explicit } = configPathFrom(args, env);
    origins = { args, file: loadConfigFile(path, { explicit }), env: optionsFromEnv(env), filePath: path };
  } catch (error) {
    return printError(error);
  }
  const config = { ...origins.file, ...origins.env };

  const parser = yargs(args)
    .scriptName('blurcam')
    // A flag given twice takes its last value, as in most command lines (an array would reach options that take one).
    .parserConfiguration({ 'duplicate-arguments-array': false })
    .usage('$0 <command> [options]\n\nA camera with the background blurred or replaced, for every call app (through OBS).')
    .config(config)
    .middleware(dropOptionsTheCommandLacks(config), true)
    .middleware((argv) => checkOptions(argv, origins), true)
    .command(startCommand)
    .command(statusCommand)
    .command(stopCommand)
    .command(scenesCommand)
    .command(benchCommand)
    .command(devicesCommand)
    .command(segmentCommand)
    .command(recordCommand)
    .command(configureObsCommand)
    .command(doctorCommand)
    .strictCommands()
    .strictOptions()
    .demandCommand(1, 'Name a command.')
    .recommendCommands()
    .help()
    .alias('help', 'h')
    .version()
    .wrap(Math.min(110, process.stdout.columns || 110))
    .fail((message, error) => {
      // Throwing stops yargs from running the command with arguments it just refused.
      throw error ?? new BlurcamError('BAD_OPTION', message, 'See "blurcam --help" or "blurcam <command> --help".');
    })
    .exitProcess(false);

  try {
    await parser.parseAsync();
  } catch (error) {
    return printError(error);
  }
  return Number(process.exitCode ?? 0);
}

watchForClosedOutput();
const exitCode = await main();
process.exitCode = outputClosed.aborted ? EXIT_OUTPUT_CLOSED : exitCode;
// A last write that fails (the summary at the end) is reported only after main() has returned.
outputClosed.addEventListener('abort', () => (process.exitCode = EXIT_OUTPUT_CLOSED));
