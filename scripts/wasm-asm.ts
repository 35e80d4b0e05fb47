// The assembler moved to src/core/backend/wasm-asm.ts (the elementwise compiler uses it at run
// time); the GEMM generator keeps importing it from here.
export * from "../src/core/backend/wasm-asm.js";
