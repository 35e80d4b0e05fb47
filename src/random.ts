// The public random namespace: keys and the basic draws (core/random.ts), more distributions
// (core/random-more.ts), and the samplers that loop (random-loops.ts, over lax.whileLoop).
export * from "./core/random.js";
export * from "./core/random-more.js";
export * from "./random-loops.js";
