"""The JAX-CPU column of `npm run bench` (shared/bench/WORKLOADS.md): every workload W1-W15 in JAX,
jitted, on the inputs the JS suite generated, timed the way bench/lib/measure.ts times the JS systems.

Started by bench/jax/runner.ts as `python workloads.py MANIFEST` (pinned to one core, XLA on one
thread). The manifest names each case's input files (raw little-endian float32, row-major) and the
timing settings. Per case this script builds the jitted function, makes one call, writes the outputs
(flattened, concatenated, float64) for the runner to check against the float64 reference, waits for
its verdict on stdin ("time" or "skip"), then times the call: warm-up, then the median time per call.
Each timed call reads every output back into a NumPy array (np.asarray waits for the result).
Messages go to stdout as JSON lines prefixed with "@@bench ", so stray library output cannot be
mistaken for one. Never run from `npm test`.
"""

import json
import math
import sys
import time
import traceback

import numpy as np

PREFIX = "@@bench "


def send(msg):
    sys.stdout.write(PREFIX + json.dumps(msg) + "\n")
    sys.stdout.flush()


try:
    import jax
    import jax.numpy as jnp
    from jax import lax
except Exception as e:  # noqa: BLE001 - any import failure makes the column n/a
    send({"type": "system", "ok": False, "reason": f"jax failed to import: {e}".splitlines()[0]})
    sys.exit(0)


class NotAvailable(Exception):
    """A workload this Python cannot run (e.g. optax missing): the cell reads n/a with the reason."""


def readback(out):
    return [np.asarray(o) for o in jax.tree_util.tree_leaves(out)]


def caller(f, *args):
    """The timed call: f on device arrays made once from the inputs, every output read back."""
    dev = [jnp.asarray(a) for a in args]
    return lambda: readback(f(*dev))


# ---- the workloads: jnp as a JAX user writes it, same math and output order as bench/systems/tapir.ts ----


def w1(i):
    def loss(w1, b1, w2, b2, x, t):
        return jnp.mean(jnp.square(jnp.tanh(x @ w1 + b1) @ w2 + b2 - t))

    return caller(jax.jit(jax.grad(loss, argnums=(0, 1, 2, 3))), i["w1"], i["b1"], i["w2"], i["b2"], i["x"], i["t"])


def w2(i):
    return caller(jax.jit(jnp.matmul), i["a"], i["b"])


def w3(i):
    w, b = jnp.asarray(i["w"]), jnp.asarray(i["b"])
    return caller(jax.jit(jax.jacrev(lambda x: jnp.tanh(w @ x + b))), i["x"])


def w4(i):
    w = jnp.asarray(i["w"])
    return caller(jax.jit(jax.vmap(jax.jacrev(lambda row: jnp.tanh(row @ w)))), i["x"])


def w5(i):
    a = jnp.asarray(i["a"])
    return caller(jax.jit(jax.hessian(lambda x: jnp.sum(jnp.sin(x) * jnp.square(x)) + 0.5 * jnp.dot(x, a @ x))), i["x"])


def w6(i):
    return caller(jax.jit(jax.grad(lambda x: jnp.sum(jnp.exp(jnp.sin(x)) * jnp.cos(x)))), i["x"])


def w7(i):
    f = lambda v: v**3  # noqa: E731
    d1, d2 = jax.jit(jax.grad(f)), jax.jit(jax.grad(jax.grad(f)))
    x = jnp.asarray(i["x"])
    return lambda: readback(d1(x)) + readback(d2(x))


def w8(i):
    def loss(w, x, y):
        z = jnp.dot(x, w)
        return jax.nn.softplus(z) - y * z

    return caller(jax.jit(jax.vmap(jax.grad(loss), in_axes=(None, 0, 0))), i["w"], i["x"], i["y"])


def w9_sort(i):
    return caller(jax.jit(jnp.sort), i["x"])


def w9_argsort(i):
    return caller(jax.jit(lambda x: jnp.argsort(x, stable=True)), i["x"])


def w9_topk(i):
    return caller(jax.jit(lambda x: lax.top_k(x, 100)), i["x"])


def w9_scatter(i):
    idx = jnp.asarray(i["idx"].astype(np.int32))  # integer-valued float32, converted before timing as in JS
    return caller(jax.jit(jax.grad(lambda x: jnp.sum(x[idx]))), i["x"])


def w9_einsum(i):
    return caller(jax.jit(lambda a, b: jnp.einsum("bij,bjk->bik", a, b)), i["a"], i["b"])


DN = ("NHWC", "HWIO", "NHWC")


def conv_block(h, k, b):
    """VALID 3×3 conv + bias → ReLU → 2×2/2 max-pool, NHWC."""
    z = jax.nn.relu(lax.conv_general_dilated(h, k, (1, 1), "VALID", dimension_numbers=DN) + b)
    return lax.reduce_window(z, -jnp.inf, lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "VALID")


def w10(i):
    def loss(k1, b1, k2, b2, w, b, x, y):
        h = conv_block(conv_block(x, k1, b1), k2, b2).reshape(32, 1600)
        return -jnp.mean(jnp.sum(y * jax.nn.log_softmax(h @ w + b), axis=1))

    g = jax.jit(jax.grad(loss, argnums=(0, 1, 2, 3, 4, 5)))
    return caller(g, *(i[k] for k in ("k1", "b1", "k2", "b2", "w", "b", "x", "labels")))


W11_NOISE = 0.1


def w11(i):
    """float64 throughout (the case runs inside jax.enable_x64)."""
    n = i["x"].shape[0]
    noise = W11_NOISE * jnp.eye(n, dtype=jnp.float64)
    half = 0.5 * n * math.log(2 * math.pi)

    def nll(log_ell, log_sf2, x, y):
        d = x.reshape(n, 1) - x.reshape(1, n)
        k = jnp.exp(log_sf2) * jnp.exp(-0.5 * jnp.square(d) / jnp.exp(2 * log_ell))
        L = jnp.linalg.cholesky(k + noise)
        z = lax.linalg.triangular_solve(L, y.reshape(n, 1), left_side=True, lower=True)
        alpha = lax.linalg.triangular_solve(L, z, left_side=True, lower=True, transpose_a=True)
        return 0.5 * jnp.sum(y.reshape(n, 1) * alpha) + jnp.sum(jnp.log(jnp.diag(L))) + half

    f64 = lambda k: i[k].astype(np.float64)  # noqa: E731
    return caller(jax.jit(jax.grad(nll, argnums=(0, 1, 2))), f64("logEll"), f64("logSf2"), f64("x"), f64("y"))


W12_LR = 1e-3


def w12(i):
    """One optax Adam step of examples/mnist.ts's convnet with dropout 0.5; the parameters move every call."""
    try:
        import optax
    except ImportError as e:
        raise NotAvailable("W12 needs optax (pip install optax)") from e
    B = i["x"].shape[0]

    def loss_of(p, x, y, key):
        h = conv_block(conv_block(x, p["k1"], p["b1"]), p["k2"], p["b2"]).reshape(B, 800)
        h = jnp.where(jax.random.bernoulli(key, 0.5, h.shape), h * 2, 0)
        logp = jax.nn.log_softmax(h @ p["w"] + p["b"])
        return -jnp.mean(jnp.sum(jax.nn.one_hot(y, 10, dtype=logp.dtype) * logp, axis=1))

    opt = optax.adam(W12_LR)

    @jax.jit
    def step(p, s, x, y, key):
        loss, g = jax.value_and_grad(loss_of)(p, x, y, key)
        updates, s2 = opt.update(g, s, p)
        return optax.apply_updates(p, updates), s2, loss

    state = {"p": {k: jnp.asarray(i[k]) for k in ("k1", "b1", "k2", "b2", "w", "b")}, "key": jax.random.key(0)}
    state["s"] = opt.init(state["p"])
    x, y = jnp.asarray(i["x"]), jnp.asarray(i["labels"].astype(np.int32))

    def run():
        state["key"], sub = jax.random.split(state["key"])
        state["p"], state["s"], loss = step(state["p"], state["s"], x, y, sub)
        return readback(loss)

    return run


def w13(i):
    """lax.scan over the 1000 rows of x: h ← tanh(h W + x_t U)."""

    def loss(w, u, xs):
        step = lambda h, x: (jnp.tanh(h @ w + x @ u), None)  # noqa: E731
        h_t, _ = lax.scan(step, jnp.zeros(w.shape[0], jnp.float32), xs)
        return jnp.sum(jnp.square(h_t))

    return caller(jax.jit(jax.grad(loss, argnums=(0, 1))), i["w"], i["u"], i["x"])


def w14(i):
    """mean(h²) after 20 layers h ← tanh(h W_i); gradients of all W_i, in layer order."""
    names = sorted((k for k in i if k.startswith("w")), key=lambda k: int(k[1:]))

    def loss(ws, x):
        h = x
        for w in ws:
            h = jnp.tanh(h @ w)
        return jnp.mean(jnp.square(h))

    g = jax.jit(jax.grad(loss))
    ws, x = [jnp.asarray(i[k]) for k in names], jnp.asarray(i["x"])
    return lambda: readback(g(ws, x))


W15_FACTOR = np.float32(1.0001)


def w15(n):
    def build(i):
        def f(x):
            for k in range(n):
                x = jnp.sin(x) if k % 2 == 0 else x * W15_FACTOR
            return jnp.sum(x)

        return caller(jax.jit(jax.grad(f)), i["x"])

    return build


CASES = {
    "W1": w1, "W2-512": w2, "W2-1024": w2, "W3": w3, "W4": w4, "W5": w5, "W6": w6, "W7": w7, "W8": w8,
    "W9-sort": w9_sort, "W9-argsort": w9_argsort, "W9-topk": w9_topk, "W9-scatter": w9_scatter, "W9-einsum": w9_einsum,
    "W10": w10, "W11": w11, "W12": w12, "W13": w13, "W14-0.1": w14, "W14-0.3": w14, "W15-200": w15(200), "W15-2000": w15(2000),
}
X64 = {"W11"}

# ---- timing: the rules of bench/lib/measure.ts (settings from the manifest) ----


def time_once(run):
    t0 = time.perf_counter()
    run()
    return time.perf_counter() - t0


def median(xs):
    s = sorted(xs)
    m = len(s) // 2
    return s[m] if len(s) % 2 else (s[m - 1] + s[m]) / 2


def measure(run, cfg, first_call, budget):
    budget = math.inf if budget is None else budget
    warm = [first_call] if first_call > cfg["verySlow"] else []
    t0 = time.perf_counter()
    while not warm or ((len(warm) < cfg["warmCalls"] or (time.perf_counter() - t0) * 1e3 < cfg["warmMs"]) and warm[-1] <= cfg["perCallAbove"]):
        warm.append(time_once(run))
        if len(warm) >= 10_000 or time.perf_counter() - t0 > budget / 2:
            break
    extra = time_once(run) if len(warm) == 1 and first_call > cfg["verySlow"] else None
    est = extra if extra is not None else median(warm)
    if est > cfg["perCallAbove"]:
        xs = [] if extra is None else [extra]
        wanted = cfg["verySlowSamples"] if est > cfg["verySlow"] else cfg["perCallSamples"]
        n = wanted if math.isinf(budget) else max(1, min(wanted, math.floor(budget / est)))
        while len(xs) < n:
            xs.append(time_once(run))
        return {"median": median(xs), "min": min(xs), "max": max(xs), "samples": len(xs), "warmup": len(warm), "method": "per-call"}
    # benchmark.js's scheme: each sample runs enough calls to last minTime; samples until maxTime and minSamples
    b = cfg["benny"]
    max_time = min(b["maxTime"], budget)
    count = max(1, math.ceil(b["minTime"] / max(est, 1e-9)))
    xs, t0 = [], time.perf_counter()
    while True:
        t = time.perf_counter()
        for _ in range(count):
            run()
        xs.append((time.perf_counter() - t) / count)
        if time.perf_counter() - t0 >= max_time and len(xs) >= b["minSamples"]:
            break
    return {"median": median(xs), "min": min(xs), "max": max(xs), "samples": len(xs), "warmup": len(warm), "method": "calls-per-sample"}


def load_inputs(spec):
    return {k: np.fromfile(v["file"], dtype="<f4").reshape(v["shape"]) for k, v in spec.items()}


def first_line(e):
    return (f"{type(e).__name__}: {e}" if not isinstance(e, NotAvailable) else str(e)).splitlines()[0][:300]


def run_case(c, cfg):
    cid = c["id"]
    build = CASES.get(cid)
    if build is None:
        send({"type": "result", "case": cid, "status": "na", "reason": f"bench/jax/workloads.py has no {cid}"})
        return
    send({"type": "phase", "case": cid, "phase": "check"})
    run = build(load_inputs(c["inputs"]))
    t0 = time.perf_counter()
    outs = run()
    first = time.perf_counter() - t0
    np.concatenate([np.ravel(o).astype(np.float64) for o in outs]).astype("<f8").tofile(c["out"])
    send({"type": "check", "case": cid, "firstCall": first})
    verdict = sys.stdin.readline().strip()
    if verdict != "time":
        return  # the runner records the wrong answer (or has gone)
    send({"type": "phase", "case": cid, "phase": "timing"})
    send({"type": "result", "case": cid, "status": "ok", "timing": measure(run, cfg, first, c.get("budget"))})


def main():
    with open(sys.argv[1]) as f:
        manifest = json.load(f)
    import jaxlib

    send({"type": "system", "ok": True, "info": {
        "package": "jax", "version": jax.__version__, "jaxlib": jaxlib.__version__, "backend": jax.default_backend(),
        "python": sys.version.split()[0], "threads": manifest.get("threads", "1"),
    }})
    for c in manifest["cases"]:
        try:
            if c["id"] in X64:
                with jax.enable_x64(True):
                    run_case(c, manifest["settings"])
            else:
                run_case(c, manifest["settings"])
        except Exception as e:  # noqa: BLE001 - one case's failure is that case's cell
            traceback.print_exc(file=sys.stderr)
            status = "na" if isinstance(e, NotAvailable) else "error"
            send({"type": "result", "case": c["id"], "status": status, "reason": first_line(e)})


if __name__ == "__main__":
    main()
