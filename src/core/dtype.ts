// DTypes, their typed-array storage and numpy/JAX-style promotion.

export type DType = "float32" | "float64" | "int32" | "bool";
export const DTYPES: readonly DType[] = ["float32", "float64", "int32", "bool"];

export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;
export type FloatDType = "float32" | "float64";

export type TypedArrayCtor =
  | Float32ArrayConstructor
  | Float64ArrayConstructor
  | Int32ArrayConstructor
  | Uint8ArrayConstructor;

export function arrayCtor(dtype: DType): TypedArrayCtor {
  switch (dtype) {
    case "float32":
      return Float32Array;
    case "float64":
      return Float64Array;
    case "int32":
      return Int32Array;
    case "bool":
      return Uint8Array;
    default:
      return dtype satisfies never;
  }
}

export function byteSize(dtype: DType): number {
  return arrayCtor(dtype).BYTES_PER_ELEMENT;
}

export function isDType(x: unknown): x is DType {
  return typeof x === "string" && (DTYPES as readonly string[]).includes(x);
}

export function isFloat(dtype: DType): dtype is FloatDType {
  return dtype === "float32" || dtype === "float64";
}

/** The dtype a typed array stores natively. */
export function dtypeOfArray(a: ArrayBufferView): DType | undefined {
  if (a instanceof Float32Array) return "float32";
  if (a instanceof Float64Array) return "float64";
  if (a instanceof Int32Array) return "int32";
  if (a instanceof Uint8Array) return "bool";
  return undefined;
}

const RANK: Record<DType, number> = { bool: 0, int32: 1, float32: 2, float64: 3 };

/** Result dtype of combining two strongly typed operands (bool < int32 < float32 < float64). */
export function promote(a: DType, b: DType): DType {
  return RANK[a] >= RANK[b] ? a : b;
}

/** Short names used when printing the IR: f32[3,4]. */
export const SHORT: Record<DType, string> = { float32: "f32", float64: "f64", int32: "i32", bool: "bool" };

/** Rounds a JS number to what the dtype stores. */
export function castScalar(x: number, dtype: DType): number {
  switch (dtype) {
    case "float32":
      return Math.fround(x);
    case "float64":
      return x;
    case "int32":
      return x | 0;
    case "bool":
      return x ? 1 : 0;
    default:
      return dtype satisfies never;
  }
}
