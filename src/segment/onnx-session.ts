/**
 * One onnxruntime session per model: the execution provider chosen by platform (or forced), the model
 * checked against the blurcam contract, and a `run` that reuses its input buffer and tensor per frame.
 * It reports which provider really runs: CoreML may take all, part or none of a graph.
 */
import { spawn } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import ort from 'onnxruntime-node';
import { BlurcamError, describeError } from '../errors.js';
import { readModelContract, readOnnxMetadata, type ModelContract, type TensorInfo } from './model-contract.js';
import { decodeOutput } from './postprocess/decode-output.js';
import { fillModelInput, inputLookup, type Size } from './preprocess.js';
import type { RunModel } from './video-views.js';
import type { Device } from './segmenter.js';

export type Provider = 'cpu' | 'coreml';

/** MLProgram format: the only CoreML format that takes ConvTranspose and Resize (docs/segmentation.md#coreml-on-macos). */
const COREML_FLAGS = 0x010;
const COREML_PROBE_TIMEOUT_MS = 120_000;

/** 'auto' is CoreML on Apple Silicon Macs and CPU elsewhere; CoreML elsewhere is an error. */
export function chooseProvider(device: Device, platform: string = process.platform, arch: string = process.arch): Provider {
  const appleSilicon = platform === 'darwin' && arch === 'arm64';
  if (device === 'cpu') return 'cpu';
  if (device === 'auto') return appleSilicon ? 'coreml' : 'cpu';
  if (!appleSilicon) {
    throw new BlurcamError(
      'DEVICE_UNAVAILABLE',
      `CoreML is not available on ${platform}/${arch}.`,
      'CoreML needs an Apple Silicon Mac: use --device cpu (or auto).',
    );
  }
  return 'coreml';
}

/** What onnxruntime's CoreML provider said it took, from its info-level log. */
export interface CoremlCoverage {
  partitions: number;
  nodes: number;
  supportedNodes: number;
}

export function parseCoremlCoverage(log: string): CoremlCoverage | null {
  const match =
    /number of partitions supported by CoreML:\s*(\d+)\s*number of nodes in the graph:\s*(\d+)\s*number of nodes supported by CoreML:\s*(\d+)/.exec(
      log,
    );
  if (!match) return null;
  return { partitions: Number(match[1]), nodes: Number(match[2]), supportedNodes: Number(match[3]) };
}

/** The provider that really runs, and a few words saying how much of the graph it took. */
export function describeCoverage(coverage: CoremlCoverage | null): { provider: Provider; note: string } {
  if (coverage === null) return { provider: 'coreml', note: 'CoreML did not report how many nodes it took' };
  const { nodes, supportedNodes, partitions } = coverage;
  if (supportedNodes === 0) return { provider: 'cpu', note: 'CoreML took none of the graph, so it runs on CPU' };
  if (supportedNodes < nodes) {
    return {
      provider: 'coreml',
      note: `CoreML took ${supportedNodes} of ${nodes} nodes in ${partitions} partition${partitions > 1 ? 's' : ''}, the rest runs on CPU`,
    };
  }
  return { provider: 'coreml', note: `all ${nodes} nodes on CoreML` };
}

export interface OnnxModelOptions {
  path: string;
  device: Device;
  /** CPU threads for one inference (default 1). */
  threads?: number;
  /** Said in MODEL_NOT_FOUND's hint: bundled models are made by `npm run models`. */
  bundled?: boolean;
}

export class OnnxModel {
  readonly input: Size;
  readonly output: Size;
  /** Runs the model on the caller's thread. */
  private readonly runner: RunModel;

  private constructor(
    private readonly session: ort.InferenceSession,
    readonly contract: ModelContract,
    readonly provider: Provider,
    /** How the provider took the graph, for the start-up report. */
    readonly providerNote: string,
  ) {
    this.input = { width: contract.inputWidth, height: contract.inputHeight };
    this.output = { width: contract.outputWidth, height: contract.outputHeight };
    this.runner = sessionRunner(session, contract);
  }

  static async open(options: OnnxModelOptions): Promise<OnnxModel> {
    const { path } = options;
    const bytes = await readModelFile(path, options.bundled ?? false);
    const requested = chooseProvider(options.device);
    const threads = options.threads ?? 1;
    const probe = requested === 'coreml' ? probeCoremlCoverage(path) : Promise.resolve(null);
    const { session, provider } = await createSession(path, requested, threads, options.device === 'coreml');
    let contract: ModelContract;
    try {
      contract = checkContract(path, bytes, session);
    } catch (error) {
      await session.release();
      throw error;
    }
    if (provider === 'coreml') {
      const report = describeCoverage(await probe);
      return new OnnxModel(session, contract, report.provider, report.note);
    }
    const threadNote = `${threads} thread${threads > 1 ? 's' : ''}`;
    return new OnnxModel(session, contract, 'cpu', requested === 'coreml' ? `CoreML refused the model; ${threadNote}` : threadNote);
  }

  /**
   * Runs the model on packed 8-bit BGR pixels already at the input size. Returns the person probability
   * at the output size in a buffer that the next call overwrites.
   */
  run(bgr: Uint8Array): Promise<Float32Array> {
    return this.runner(bgr);
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}

/**
 * Runs `session` on packed 8-bit BGR at the contract's input size: fills the input (reused, with its tensor),
 * decodes the output into the person probability (a buffer the next call overwrites). One run at a time.
 */
function sessionRunner(session: ort.InferenceSession, contract: ModelContract): RunModel {
  const pixels = contract.inputWidth * contract.inputHeight;
  const inputData = new Float32Array(3 * pixels);
  const inputTensor = new ort.Tensor('float32', inputData, [1, 3, contract.inputHeight, contract.inputWidth]);
  const probability = new Float32Array(contract.outputWidth * contract.outputHeight);
  const lookup = inputLookup(contract.input);
  return async (bgr) => {
    fillModelInput(bgr, pixels, lookup, inputData);
    const results = await session.run({ [contract.inputName]: inputTensor });
    decodeOutput(results[contract.outputName].data as Float32Array, contract.output, probability.length, probability);
    return probability;
  };
}

async function readModelFile(path: string, bundled: boolean): Promise<Uint8Array> {
  const notFound = (): BlurcamError =>
    new BlurcamError(
      'MODEL_NOT_FOUND',
      `Model file ${path} does not exist.`,
      bundled ? 'Run "npm run models" in the blurcam folder to convert the bundled models.' : 'Check the --model path, or use --model auto.',
    );
  try {
    if (!(await stat(path)).isFile()) throw notFound();
    return await readFile(path);
  } catch (error) {
    if (error instanceof BlurcamError) throw error;
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw notFound();
    throw new BlurcamError('MODEL_INVALID', `Model file ${path} cannot be read: ${describeError(error)}`, 'Check the file and its permissions.', {
      cause: error,
    });
  }
}

function invalidModel(path: string, reason: string, cause?: unknown): BlurcamError {
  return new BlurcamError(
    'MODEL_INVALID',
    `${path} is not a usable ONNX model: ${reason}`,
    'Pass an .onnx file exported as docs/model-contract.md describes (or use --model auto).',
    { cause },
  );
}

function sessionOptions(provider: Provider, threads: number): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: provider === 'coreml' ? [{ name: 'coreml', coreMlFlags: COREML_FLAGS }, 'cpu'] : ['cpu'],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  };
}

/** A session on `provider`, or on the CPU when CoreML refuses the model and was not required. */
async function createSession(
  path: string,
  provider: Provider,
  threads: number,
  coremlRequired: boolean,
): Promise<{ session: ort.InferenceSession; provider: Provider }> {
  try {
    return { session: await ort.InferenceSession.create(path, sessionOptions(provider, threads)), provider };
  } catch (error) {
    if (provider === 'cpu') throw invalidModel(path, firstLine(describeError(error)), error);
    // CoreML refused: tell CoreML problems from model problems by trying the CPU alone.
    const fallback = await createSession(path, 'cpu', threads, false);
    if (!coremlRequired) return fallback;
    await fallback.session.release();
    throw new BlurcamError(
      'DEVICE_UNAVAILABLE',
      `CoreML could not load ${path}: ${firstLine(describeError(error))}`,
      'Use --device cpu (or auto) to run it on the CPU.',
      { cause: error },
    );
  }
}

function checkContract(path: string, bytes: Uint8Array, session: ort.InferenceSession): ModelContract {
  const metadata = readOnnxMetadata(bytes);
  if (metadata === null) throw invalidModel(path, 'its protobuf structure is damaged');
  return readModelContract(path, metadata, session.inputMetadata.map(tensorInfo), session.outputMetadata.map(tensorInfo));
}

function tensorInfo(value: ort.InferenceSession.ValueMetadata): TensorInfo {
  if (!value.isTensor) return { name: value.name, type: 'non-tensor', shape: [] };
  return { name: value.name, type: value.type, shape: value.shape };
}

function firstLine(text: string): string {
  return text.split('\n')[0].trim();
}

/**
 * How much of the graph CoreML takes. onnxruntime only says so in its info-level log, which goes to the
 * native stderr where Node cannot read it, so a child process builds the same session and we read its
 * stderr. It runs beside the real session's creation; a failed probe only makes the report vaguer.
 */
export function probeCoremlCoverage(path: string): Promise<CoremlCoverage | null> {
  const ortEntry = pathToFileURL(createRequire(import.meta.url).resolve('onnxruntime-node')).href;
  const script = [
    'const ort = (await import(process.argv[1])).default;',
    "ort.env.logLevel = 'info';",
    "await ort.InferenceSession.create(process.argv[2], { executionProviders: [{ name: 'coreml', coreMlFlags: Number(process.argv[3]) }, 'cpu'], logSeverityLevel: 1 });",
  ].join('\n');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, ortEntry, path, String(COREML_FLAGS)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: COREML_PROBE_TIMEOUT_MS,
    });
    let log = '';
    child.stdout.on('data', (chunk: Buffer) => (log += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
    child.on('error', () => resolve(null));
    child.on('close', () => resolve(parseCoremlCoverage(log)));
  });
}
