// ort_run.js runs an ONNX model with onnxruntime-node on columns given as
// JSON and prints the model's outputs as JSON. pkg/tabular's ONNX parity
// test (export_ort_test.go) and cmd/train's differential test
// (differential_legs_test.go) feed it the raw cells of CSV tables.
//
//   DENSETRAIN_ORT_NODE=/opt/ort/node_modules/onnxruntime-node node ort_run.js MODEL.onnx COLUMNS.json
//
// COLUMNS.json: {"column name": {"type": "float32" | "float64" | "string",
// "data": [...]}, ...}, each column fed as a tensor of shape [N, 1] (null
// is NaN in a numeric column). Output: {"output name": {"type": ...,
// "dims": [...], "data": [...]}, ...}, NaN written as null. onnxruntime-node
// is loaded from $DENSETRAIN_ORT_NODE (its package folder, as installed by
// `npm install --ignore-scripts onnxruntime-node`), else by name.
'use strict';

const fs = require('fs');
const ort = require(process.env.DENSETRAIN_ORT_NODE || 'onnxruntime-node');

function tensor(name, c) {
  const n = c.data.length;
  const num = (v) => (v === null ? NaN : v);
  switch (c.type) {
    case 'float32':
      return new ort.Tensor('float32', Float32Array.from(c.data, num), [n, 1]);
    case 'float64':
      return new ort.Tensor('float64', Float64Array.from(c.data, num), [n, 1]);
    case 'string':
      return new ort.Tensor('string', c.data.map(String), [n, 1]);
    default:
      throw new Error(`column ${JSON.stringify(name)}: unknown type ${JSON.stringify(c.type)}`);
  }
}

async function main() {
  const args = process.argv.slice(2);
  if (args.length !== 2) {
    throw new Error('usage: node ort_run.js MODEL.onnx COLUMNS.json');
  }
  const columns = JSON.parse(fs.readFileSync(args[1], 'utf8'));
  const feeds = {};
  for (const [name, c] of Object.entries(columns)) {
    feeds[name] = tensor(name, c);
  }
  const session = await ort.InferenceSession.create(args[0]);
  const results = await session.run(feeds);
  const out = {};
  for (const name of session.outputNames) {
    const t = results[name];
    out[name] = { type: t.type, dims: Array.from(t.dims, Number), data: Array.from(t.data) };
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((e) => {
  process.stderr.write(`ort_run.js: ${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});
