// The systems the suite runs, in table order; each loads lazily in its own child process.
import type { SystemEntry } from "./types.js";

export const SYSTEMS: readonly SystemEntry[] = [
  { id: "tapir-eager", label: "tapir eager", family: "tapir", load: async () => (await import("./tapir.js")).eager() },
  { id: "tapir-jit", label: "tapir jit", family: "tapir", load: async () => (await import("./tapir.js")).jitted() },
  { id: "tapir-tape", label: "tapir tape", family: "tapir", load: async () => (await import("./tapir-tape.js")).tape() },
  { id: "jaxjs-eager", label: "jax-js eager", family: "peer", load: async () => (await import("./jaxjs.js")).eager() },
  { id: "jaxjs-jit", label: "jax-js jit", family: "peer", load: async () => (await import("./jaxjs.js")).jitted() },
  { id: "tfjs-wasm", label: "tfjs-wasm", family: "peer", load: async () => (await import("./tfjs-wasm.js")).system() },
  { id: "tfjs-cpu", label: "tfjs-cpu", family: "peer", load: async () => (await import("./tfjs-cpu.js")).system() },
];

export function systemById(id: string): SystemEntry {
  const s = SYSTEMS.find((e) => e.id === id);
  if (!s) throw new Error(`bench: unknown system ${id} (known: ${SYSTEMS.map((e) => e.id).join(", ")})`);
  return s;
}
