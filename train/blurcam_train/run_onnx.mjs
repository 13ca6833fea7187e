// Runs an ONNX model in onnxruntime-node (blurcam's own runtime) on a batch of inputs, one at a time, for the
// export check when Python has no onnxruntime.
// Usage: node run_onnx.mjs MODEL INPUTS.f32 COUNT  -> writes INPUTS.f32.out, prints the output shape as JSON.
import { readFileSync, writeFileSync } from 'node:fs';
import ort from 'onnxruntime-node';

const [modelPath, inputsPath, countText] = process.argv.slice(2);
const count = Number(countText);
const session = await ort.InferenceSession.create(modelPath, { executionProviders: ['cpu'] });
const inputName = session.inputNames[0];
const outputName = session.outputNames[0];
const bytes = readFileSync(inputsPath);
const all = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
const perImage = all.length / count;
const side = Math.round(Math.sqrt(perImage / 3));
const outputs = [];
let shape = null;
for (let i = 0; i < count; i++) {
  const input = new ort.Tensor('float32', all.slice(i * perImage, (i + 1) * perImage), [1, 3, side, perImage / 3 / side]);
  const output = (await session.run({ [inputName]: input }))[outputName];
  shape = [count, ...output.dims.slice(1)];
  outputs.push(Buffer.from(output.data.buffer, output.data.byteOffset, output.data.byteLength));
}
writeFileSync(`${inputsPath}.out`, Buffer.concat(outputs));
process.stdout.write(JSON.stringify(shape));
