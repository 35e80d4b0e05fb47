// Eager freeing of the tensors compat makes and drops. A synchronous training loop never yields
// to the event loop, so the core's finalizers (which recycle unreachable storage between tasks)
// never run inside it: every dead tensor left to them holds its buffer until the loop ends.
// So compat frees what it owns as soon as it is dead:
//   - a tensor compat made and dropped (a Variable's replaced value, a layer's intermediate, an
//     optimizer's old slot) is `drop`ped: disposed now, or when the last tape that recorded an
//     op on it lets go (its gradient is taken), since that tape's backward pass reads it;
//   - tapes `pin` the inputs and outputs of the ops they record, and unpin them all on release.
// A tensor the user can reach is never dropped: Variable values the user read, layer outputs
// returned to the user, anything created outside compat ops. The finalizer stays the fallback
// (abandoned tapes, persistent tapes, tensors created by user code).
import { isTracer, type Tensor } from "../index.js";

/** How many live tapes recorded an op on each tensor. */
const pins = new WeakMap<Tensor, number>();
/** Dropped tensors still pinned by a tape: disposed when the last pin goes. */
const doomed = new WeakSet<Tensor>();

/** The tensors one tape pinned (each once). */
export class Pins {
  readonly #held = new Set<Tensor>();

  pin(t: Tensor): void {
    if (this.#held.has(t)) return;
    this.#held.add(t);
    pins.set(t, (pins.get(t) ?? 0) + 1);
  }

  /** Lets go of every pinned tensor; the dropped ones no other tape holds are disposed. */
  release(): void {
    for (const t of this.#held) {
      const n = (pins.get(t) ?? 1) - 1;
      if (n > 0) {
        pins.set(t, n);
        continue;
      }
      pins.delete(t);
      if (doomed.has(t)) {
        doomed.delete(t);
        t.dispose();
      }
    }
    this.#held.clear();
  }
}

/** Compat no longer needs `t` (it made it and nobody else was handed it): dispose it now or when no tape holds it. */
export function drop(t: Tensor | null | undefined): void {
  if (!t || isTracer(t) || t.isDisposed) return;
  if ((pins.get(t) ?? 0) === 0) t.dispose();
  else doomed.add(t);
}

/** Serial numbers of the tensors compat ops made, in creation order (0: not made by a compat op). */
const serials = new WeakMap<Tensor, number>();
let serial = 0;
export function noteMade(t: Tensor): void {
  if (!isTracer(t)) serials.set(t, ++serial);
}
/** The current serial: tensors made after this call have larger ones. */
export const serialNow = (): number => serial;
/** Whether a compat op made `t` after serial `since`. */
export const madeSince = (t: Tensor, since: number): boolean => (serials.get(t) ?? 0) > since;
