// run.js runs ONNX models with ONNX Runtime's Node binding and prints
// their outputs, for the Go tests to compare with bigfunc's predictions.
//
//   node run.js CASES.json > OUTPUTS.json
//
// CASES.json is a list of {"model": path, "input": {"shape": [...],
// "data": [...], "type": "float32" (the default) | "int64"}}; the output is a list, in the same order, of
// {"name": output name, "type": "float32" | "int64", "shape": [...],
// "data": [...]}. NODE_PATH (or a node_modules folder up the tree) must
// reach onnxruntime-node.
"use strict";
const fs = require("fs");
const ort = require("onnxruntime-node");

async function main() {
  const cases = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
  const results = [];
  for (const c of cases) {
    const session = await ort.InferenceSession.create(c.model, {
      executionProviders: ["cpu"],
      graphOptimizationLevel: "all",
    });
    const input = c.input.type === "int64"
      ? new ort.Tensor("int64", BigInt64Array.from(c.input.data, (v) => BigInt(v)), c.input.shape)
      : new ort.Tensor("float32", Float32Array.from(c.input.data), c.input.shape);
    const out = await session.run({ [session.inputNames[0]]: input });
    const name = session.outputNames[0];
    const t = out[name];
    results.push({
      name,
      type: t.type,
      shape: t.dims.map(Number),
      data: Array.from(t.data, Number),
    });
  }
  process.stdout.write(JSON.stringify(results));
}

main().catch((e) => {
  console.error(String(e && e.message ? e.message : e));
  process.exit(1);
});
