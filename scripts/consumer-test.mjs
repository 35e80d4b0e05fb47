// The consumer test: what a user gets from `npm install tapir`. Packs the package, installs the
// tarball into a fresh "type": "module" project and there (1) typechecks a realistic program with
// `strict: true`, `skipLibCheck: false` and no DOM lib, (2) runs it as ESM, (3) runs a CommonJS
// program that `require`s tapir, (4) checks that each process exits by itself.
// Run: npm run build && node scripts/consumer-test.mjs   (.ci/run does; needs the npm registry
// or npm's cache for `effect` and `@types/node`).
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const keep = process.argv.includes("--keep");
const work = mkdtempSync(join(tmpdir(), "tapir-consumer-"));
const log = (s) => process.stdout.write(`consumer-test: ${s}\n`);
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });

/** Runs `node file` in the project; fails unless it prints `expect` and exits by itself within 60 s. */
function runProgram(file, expect) {
  const r = spawnSync(process.execPath, [file], { cwd: work, encoding: "utf8", timeout: 60_000 });
  if (r.error?.code === "ETIMEDOUT" || r.signal) throw new Error(`${file} did not exit by itself within 60 s (a worker or handle kept it alive)\n${r.stdout}${r.stderr}`);
  if (r.status !== 0) throw new Error(`${file} exited with ${r.status}\n${r.stdout}${r.stderr}`);
  for (const line of expect) if (!r.stdout.includes(line)) throw new Error(`${file} did not print ${JSON.stringify(line)}; it printed:\n${r.stdout}`);
  log(`${file} ran and exited by itself`);
}

const PROGRAM = `import { numpy as np, grad, valueAndGrad, vmap, jit, jacrev, random, tree, type Tensor } from "tapir";
import * as tf from "tapir/compat";

// chained Tensor methods, pytrees and transforms, as the README shows them
type Params = { W: Tensor; b: Tensor };
const loss = (p: Params, x: Tensor, y: Tensor): Tensor => np.mean(np.square(np.tanh(x.matmul(p.W).add(p.b)).sub(y)));
const [k1, k2] = random.split(random.key(0));
const params: Params = { W: random.normal(k1!, [3, 2]).mul(0.5), b: np.zeros([2]) };
const x = random.normal(k2!, [8, 3]);
const y = np.ones([8, 2]);
const [value, grads] = valueAndGrad(loss)(params, x, y);
const step = jit((p: Params) => tree.map((w: Tensor, g: Tensor) => w.sub(g.mul(0.1)), p, grad(loss)(p, x, y)));
const next: Params = step(params);
const perExample: Params = vmap(grad(loss), [null, 0, 0])(params, x.reshape([8, 1, 3]), y.reshape([8, 1, 2]));
const cube = (t: Tensor) => t.mul(t).mul(t);
const d1: number = grad(cube)(5).item();
const J: Tensor = jacrev((t: Tensor) => np.tanh(t))(np.array([1, 2, 3]));
const s: number = x.sum().item() + value.item() + grads.W.shape[0]! + next.b.shape[0]! + perExample.W.shape[0]!;
console.log("grad of x^3 at 5:", d1, "jacobian", J.shape.join("x"), Number.isFinite(s));

// type tests against the published declarations: exact types where tapir promises them
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const expectType = <T extends true>(_ok?: T) => {};
expectType<Equal<typeof grads, Params>>();
expectType<Equal<ReturnType<Tensor["sum"]>, Tensor>>();
expectType<Equal<Tensor["shape"], readonly number[]>>();
// compile-time only (never called): each line must be a type error
export function notCompiling(): void {
  // @ts-expect-error: the gradient mirrors params, which has no field Z
  grads.Z;
  // @ts-expect-error: reshape takes a shape, not a string
  x.reshape("3");
  // @ts-expect-error: a Tensor has no method that numpy lacks
  x.frobnicate();
}

// the tape API
const v = tf.constant(5.0);
const tape = new tf.GradientTape();
const out = tape.record(() => { tape.watch(v); return tf.pow(v, 3); });
const g = tape.gradient(out, v) as tf.Tensor;
console.log("tape gradient:", g.item());
// large enough to run on the worker threads
console.log("matmul:", np.ones([200, 200]).matmul(np.ones([200, 200])).sum().item());
`;

const CJS = `const { numpy: np, grad } = require("tapir");
const tf = require("tapir/compat");
console.log("cjs grad:", grad((x) => x.mul(x).mul(x))(np.array(5)).item(), tf.constant(2).item());
// large enough to run on the worker threads, which a CommonJS program starts too
console.log("cjs matmul:", np.ones([200, 200]).matmul(np.ones([200, 200])).sum().item());
`;

try {
  log(`packing ${root}`);
  if (!existsSync(join(root, "dist", "index.d.ts")) || !existsSync(join(root, "dist", "index.cjs"))) throw new Error("dist/ is not built: run npm run build first");
  // dist/ is built (npm install's prepare, or npm run build): pack it as it is
  run("npm", ["pack", "--silent", "--ignore-scripts", "--pack-destination", work], root);
  const tarball = readdirSync(work).find((f) => f.endsWith(".tgz"));
  if (!tarball) throw new Error("npm pack made no tarball");
  writeFileSync(join(work, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }, null, 2));
  log(`installing ${tarball} into ${work}`);
  run("npm", ["install", "--silent", "--no-audit", "--no-fund", "--prefer-offline", `./${tarball}`, "@types/node@20"], work);
  writeFileSync(
    join(work, "tsconfig.json"),
    JSON.stringify(
      {
        compilerOptions: {
          strict: true, skipLibCheck: false, noUncheckedIndexedAccess: true, module: "NodeNext", moduleResolution: "NodeNext",
          target: "ES2022", lib: ["ES2023"], types: ["node"], outDir: "out", declaration: false,
        },
        files: ["main.ts"],
      },
      null,
      2,
    ),
  );
  writeFileSync(join(work, "main.ts"), PROGRAM);
  writeFileSync(join(work, "main.cjs"), CJS);
  log("typechecking main.ts (strict, skipLibCheck: false, lib ES2023)");
  const tsc = spawnSync(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "."], { cwd: work, encoding: "utf8" });
  if (tsc.status !== 0) throw new Error(`the consumer program does not compile against the published types:\n${tsc.stdout}${tsc.stderr}`);
  log("0 type errors");
  runProgram("out/main.js", ["grad of x^3 at 5: 75", "jacobian 3x3", "tape gradient: 75", "matmul: 8000000"]);
  runProgram("main.cjs", ["cjs grad: 75 2", "cjs matmul: 8000000"]);
  log("passed");
} catch (e) {
  process.stderr.write(`consumer-test: FAILED\n${e instanceof Error ? e.message : e}\n(project kept in ${work})\n`);
  process.exit(1);
}
if (!keep) rmSync(work, { recursive: true, force: true });
