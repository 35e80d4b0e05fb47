// tf.keras.metrics.AUC against its definition: Keras's documented example, the exact
// (Mann–Whitney) AUC when every prediction falls in its own threshold bin, weights as repeated
// examples, streaming equals one batch, and the summation methods' bounds.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as tf from "../../src/compat/index.js";

const AUC = tf.keras.metrics.AUC;
/** P(score of a positive > score of a negative), ties ½: the exact area under the ROC curve. */
function mannWhitney(labels: number[], scores: number[]): number {
  let s = 0, pairs = 0;
  labels.forEach((a, i) => labels.forEach((b, j) => {
    if (a === 1 && b === 0) {
      pairs++;
      s += scores[i]! > scores[j]! ? 1 : scores[i] === scores[j] ? 0.5 : 0;
    }
  }));
  return s / pairs;
}

describe("tf.keras.metrics.AUC", () => {
  it("Keras's documented example: 3 thresholds give 0.75", () => {
    const m = new AUC({ numThresholds: 3 });
    m.updateState([0, 0, 1, 1], [0, 0.5, 0.3, 0.9]);
    expect(m.result().item()).toBeCloseTo(0.75, 7);
    // with weights [1, 0, 0, 1]: only (0 → neg, 0.9 → pos) remain, perfectly separated
    m.resetState();
    m.updateState([0, 0, 1, 1], [0, 0.5, 0.3, 0.9], [1, 0, 0, 1]);
    expect(m.result().item()).toBe(1);
  });

  it("equals the exact AUC when each prediction lies in its own threshold bin; streaming equals one batch", () => {
    const n = 60;
    // bin centres (k + ½)/199 for distinct k: every ROC vertex is hit, so the trapezoids are exact
    const ks = Array.from({ length: n }, (_, i) => (i * 37) % 199);
    const scores = ks.map((k) => (k + 0.5) / 199);
    const labels = ks.map((k, i) => (Math.sin(k * 0.3 + i) + k / 199 > 0.4 ? 1 : 0));
    const m = new AUC();
    m.updateState(labels, scores);
    expect(Math.abs(m.result().item() - mannWhitney(labels, scores))).toBeLessThan(1e-6);
    const s = new AUC();
    s.updateState(labels.slice(0, 25), scores.slice(0, 25));
    s.updateState(labels.slice(25), scores.slice(25));
    expect(s.result().item()).toBe(m.result().item());
    // a weight of 2 is the example given twice
    const w = new AUC(), r = new AUC();
    w.updateState(labels, scores, labels.map((_, i) => (i % 3 === 0 ? 2 : 1)));
    r.updateState([...labels, ...labels.filter((_, i) => i % 3 === 0)], [...scores, ...scores.filter((_, i) => i % 3 === 0)]);
    expect(w.result().item()).toBeCloseTo(r.result().item(), 6);
    // minoring ≤ interpolation ≤ majoring
    const lo = new AUC({ summationMethod: "minoring", numThresholds: 5 }), hi = new AUC({ summationMethod: "majoring", numThresholds: 5 }), mid = new AUC({ numThresholds: 5 });
    for (const a of [lo, hi, mid]) a.updateState(labels, scores);
    expect(lo.result().item()).toBeLessThanOrEqual(mid.result().item());
    expect(mid.result().item()).toBeLessThanOrEqual(hi.result().item());
  });

  it("bad input names the API", () => {
    expect(() => new AUC({ numThresholds: 1 })).toThrow(/tf.keras.metrics.AUC: numThresholds must be an integer > 1/);
    expect(() => new AUC().updateState([1], [1.5])).toThrow(/AUC.updateState: predictions must be in \[0, 1\]/);
    expect(() => new AUC().updateState([1, 0], [0.5])).toThrow(/same number of elements/);
  });
});

describe("tf.keras.metrics.AUC curve PR (Keras 3 fixture)", () => {
  const fx = JSON.parse(readFileSync(new URL("../fixtures/tf-function-module.json", import.meta.url), "utf8")).aucPr;
  it("interpolation (Davis & Goadrich), minoring and majoring equal Keras's, weighted or not", () => {
    for (const c of fx.cases) {
      const m = new AUC({ numThresholds: c.numThresholds, curve: "PR", summationMethod: c.summationMethod });
      m.updateState(fx.labels, fx.scores, c.weighted ? fx.weights : undefined);
      expect(Math.abs(m.result().item() - c.result), `${JSON.stringify(c)}: got ${m.result().item()}`).toBeLessThan(2e-6);
    }
    const doc = new AUC({ numThresholds: 3, curve: "PR" });
    doc.updateState([0, 0, 1, 1], [0, 0.5, 0.3, 0.9]);
    expect(doc.result().item()).toBeCloseTo(fx.doc_example, 6);
    expect(() => new AUC({ curve: "roc" as any })).toThrow(/tf.keras.metrics.AUC: curve must be "ROC" or "PR"/);
  });
});
