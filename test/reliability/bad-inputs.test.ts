// Every bad input of the table (test/reliability/bad-inputs.ts) raises its typed error, whose
// message names the API the user called; the inputs come back unchanged (data and shape) and
// the library works afterwards. The summary line reports the counts the reliability issue asks
// for: bad inputs / typed / good messages.
import { afterAll, describe, expect, it } from "vitest";
import { Tensor, grad, jit, numpy as np, vmap } from "../../src/index.js";
import * as tf from "../../src/compat/index.js";
import { fixtures, table, type Fixtures } from "./bad-inputs.js";

/** Shape and a copy of the data of every tensor (and Variable) in the fixtures. */
function snapshot(f: Fixtures): Map<string, [number[], number[]]> {
  const snap = new Map<string, [number[], number[]]>();
  for (const [key, x] of Object.entries(f)) {
    const t = x instanceof tf.Variable ? x.value() : (x as Tensor);
    snap.set(key, [[...t.shape], Array.from(t.dataSync(), Number)]);
  }
  return snap;
}

/** A small computation through eager ops, a transform and jit: the library still works. */
function stillWorks(): void {
  const x = np.array([1, 2, 3]);
  expect(np.add(x, 1).sum().item()).toBe(9);
  expect(Array.from(grad((t: Tensor) => t.mul(t).sum())(x).dataSync())).toEqual([2, 4, 6]);
  expect(Array.from(jit((t: Tensor) => t.mul(2))(x).dataSync())).toEqual([2, 4, 6]);
  expect(Array.from(vmap((t: Tensor) => t.sum())(np.ones([2, 3])).dataSync())).toEqual([3, 3]);
}

const counts = { rows: 0, typed: 0, named: 0, functional: 0, compat: 0 };

describe("bad inputs (reliability table)", () => {
  it("the table has at least 150 rows across both APIs", () => {
    expect(table.length).toBeGreaterThanOrEqual(150);
    expect(table.filter((r) => r.api === "compat").length).toBeGreaterThanOrEqual(40);
    expect(new Set(table.map((r) => r.name)).size).toBe(table.length);
  });

  for (const row of table) {
    it(`${row.api}: ${row.name}`, () => {
      const f = fixtures();
      const before = snapshot(f);
      let err: unknown;
      try {
        row.run(f);
      } catch (e) {
        err = e;
      }
      counts.rows++;
      counts[row.api]++;
      expect(err, "it must throw").toBeDefined();
      const e = err as Error;
      if (e instanceof row.cls) counts.typed++;
      if (row.names.test(e.message)) counts.named++;
      expect(e, `${e?.constructor?.name}: ${e?.message}`).toBeInstanceOf(row.cls);
      expect(e.message, "the message names the API called").toMatch(row.names);
      // a message that shows something and says what to do is more than a name and a word
      expect(e.message.length).toBeGreaterThan(30);
      expect(e.message).not.toMatch(/is not a function|Cannot read prop|undefined is not|Array buffer allocation/);
      expect(snapshot(f), "inputs unchanged").toEqual(before);
      stillWorks();
    });
  }

  afterAll(() => {
    console.log(`[reliability] bad inputs ${counts.rows} (functional ${counts.functional}, compat ${counts.compat}) / typed ${counts.typed} / messages naming the API ${counts.named}`);
  });
});
