// Tracing for export: stage `fn` as jit does (every op staged, gradients/vmaps/control flow
// included), then inline the call-like primitives ONNX has no notion of (jit_call, customJvp,
// customVjp, checkpoint calls, remat tangents), inside control-flow bodies too, and run the IR
// passes that do not fuse (DCE, CSE, constant folding): the fused loops jit runs are JS code.
import { ClosedJaxpr, Lit, type Jaxpr } from "../../core/ir.js";
import type { Tensor } from "../../core/tensor.js";
import { bind } from "../../core/trace.js";
import { stageFlat } from "../../transforms/partial-eval.js";
import { cse, dce, foldConstants } from "../../transforms/passes.js";
import { rematLinP } from "../../transforms/custom.js";

/** Call-like primitives replaced by their bodies. */
const CALLS = new Set(["jit_call", "custom_jvp_call", "custom_vjp_call", "checkpoint", "remat_lin"]);
const SUBPROGRAMS: Record<string, string[]> = { cond: ["branches"], scan: ["body"], while: ["cond", "body"] };

const hasCalls = (j: Jaxpr): boolean => j.eqns.some((e) => CALLS.has(e.prim.name));

/** Evaluates `j` under the current (staging) trace, expanding calls one level and sub-programs fully. */
function evalInline(j: Jaxpr, consts: readonly Tensor[], args: readonly Tensor[]): Tensor[] {
  const env = new Map<object, Tensor>();
  j.constvars.forEach((v, i) => env.set(v, consts[i]!));
  j.invars.forEach((v, i) => env.set(v, args[i]!));
  const read = (a: (typeof j.outs)[number]) => (a instanceof Lit ? a.tensor() : env.get(a)!);
  for (const e of j.eqns) {
    const ins = e.inputs.map(read);
    const p = e.params;
    let outs: Tensor[];
    switch (e.prim.name) {
      case "jit_call":
        outs = evalInline(p.jaxpr.jaxpr, p.jaxpr.consts, ins);
        break;
      case "custom_jvp_call":
      case "custom_vjp_call":
      case "checkpoint":
        // the primal function itself (the custom rules only matter to transforms, done by now)
        outs = p.fn(ins);
        break;
      case "remat_lin":
        outs = rematLinP.impl(ins, p);
        break;
      default: {
        const keys = SUBPROGRAMS[e.prim.name];
        if (keys === undefined) outs = bind(e.prim, ins, p);
        else {
          const q = { ...p };
          for (const k of keys) q[k] = Array.isArray(p[k]) ? p[k].map(inlineClosed) : inlineClosed(p[k]);
          outs = bind(e.prim, ins, q);
        }
      }
    }
    e.outs.forEach((v, i) => env.set(v, outs[i]!));
  }
  return j.outs.map(read);
}

/** A closed jaxpr with every call inlined (to any depth) and the non-fusing passes run. */
export function inlineClosed(cj: ClosedJaxpr): ClosedJaxpr {
  let cur = cj;
  for (let depth = 0; ; depth++) {
    const src = cur;
    const [j, consts] = stageFlat((xs) => evalInline(src.jaxpr, src.consts, xs), src.jaxpr.inAvals, "exportOnnx", true);
    cur = new ClosedJaxpr(j, consts);
    if (!hasCalls(j) || depth > 64) break;
  }
  return dce(foldConstants(cse(dce(cur))));
}
