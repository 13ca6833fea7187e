import type { CommandModule } from 'yargs';
import { declareOptions, type OptionValues } from '../config.js';
import { obsConfigDir } from '../control/obs-config.js';
import { type Check, type DoctorContext, type LinkResult, runChecks } from '../doctor/check.js';
import { cameraCheck, modelCheck, nodeCheck, opencvCheck, pixelLoopsCheck } from '../doctor/machine-checks.js';
import {
  canvasCheck,
  obsInstalledCheck,
  pluginInstalledCheck,
  sourceKindCheck,
  testFrameCheck,
  virtualCameraCheck,
  websocketCheck,
} from '../doctor/obs-checks.js';

const DOCTOR_OPTIONS = ['config', 'input', 'camera', 'size', 'fps', 'device', 'model', 'obs-url', 'obs-password', 'obs-config-dir', 'json'] as const;

type DoctorArgs = Pick<OptionValues, (typeof DOCTOR_OPTIONS)[number]>;

/** The chain in the order frames travel it: a link's problem often explains the ones after it. */
const CHECKS: Check[] = [
  nodeCheck,
  opencvCheck,
  pixelLoopsCheck,
  modelCheck,
  cameraCheck,
  obsInstalledCheck,
  pluginInstalledCheck,
  websocketCheck,
  sourceKindCheck,
  virtualCameraCheck,
  canvasCheck,
  testFrameCheck,
];

/** `blurcam doctor`: every link from the camera to the Virtual Camera, ok or a problem with its fix. Exit 1 on any problem. */
export const doctorCommand: CommandModule<object, DoctorArgs> = {
  command: 'doctor',
  describe: 'Check every link from the camera to the Virtual Camera and say how to fix what is broken',
  builder: (yargs) => declareOptions(yargs, DOCTOR_OPTIONS),
  async handler(argv) {
    const { size } = argv;
    const context: DoctorContext = {
      options: {
        input: argv.input,
        camera: argv.camera,
        ...size,
        fps: argv.fps,
        device: argv.device,
        model: argv.model,
        url: argv['obs-url'],
        password: argv['obs-password'],
        obsConfigDir: argv['obs-config-dir'] ?? obsConfigDir(),
        platform: process.platform,
        env: process.env,
      },
      frameSize: size,
    };
    let results: LinkResult[];
    try {
      results = await runChecks(CHECKS, context, argv.json ? undefined : (result) => process.stdout.write(formatLink(result)));
    } finally {
      await context.obs?.close();
    }
    const problems = results.filter((result) => result.status === 'problem').length;
    if (argv.json) process.stdout.write(`${JSON.stringify({ ok: problems === 0, links: results })}\n`);
    else process.stdout.write(problems === 0 ? 'All links ok.\n' : `${problems} problem${problems === 1 ? '' : 's'} found.\n`);
    if (problems > 0) process.exitCode = 1;
  },
};

function formatLink({ link, status, message, fix }: LinkResult): string {
  return `${status.padEnd(7)} ${link.padEnd(16)} ${message}\n${fix ? `${' '.repeat(25)}fix: ${fix}\n` : ''}`;
}
