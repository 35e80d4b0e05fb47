// TensorFlow.js with its pure-JS `cpu` backend.
import { pkgVersion } from "../lib/env.js";
import { TFJS_HOW, TFJS_NOTES, tfjsImpls } from "./tfjs-common.js";
import type { System } from "./types.js";

export async function system(): Promise<System> {
  const tf = await import("@tensorflow/tfjs");
  if (!(await tf.setBackend("cpu"))) throw new Error("tfjs: cpu backend failed to initialise");
  await tf.ready();
  return {
    info: { package: "@tensorflow/tfjs", version: pkgVersion("@tensorflow/tfjs"), backend: tf.getBackend(), threads: 1 },
    impls: tfjsImpls(tf),
    how: TFJS_HOW,
    notes: TFJS_NOTES,
  };
}
