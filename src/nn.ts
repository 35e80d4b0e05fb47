// The public nn namespace: the first-round functions (core/nn.ts) and the rest (core/nn-more.ts).
export * from "./core/nn.js";
export * from "./core/nn-more.js";
