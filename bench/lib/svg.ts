// An offline SVG bar chart of peer time / tapir time per workload, log scale, drawn without any library.
import { JAX_SYSTEM, type RunReport } from "./report.js";
import { CASES } from "./workloads.js";

const COLORS = ["#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2"];
const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

export function chartSvg(rep: RunReport): string {
  const peers = rep.systems.filter((s) => s.family === "peer");
  const cases = rep.summary.map((s) => ({ s, c: CASES.find((k) => k.id === s.case)! }));
  const ratios = cases.flatMap(({ s }) => Object.values(s.ratios)).filter((r) => r > 0 && Number.isFinite(r));
  // log10 domain covering the data and at least 0.1…10, whole decades
  const lo = Math.min(-1, Math.floor(Math.log10(Math.min(...ratios, 1))));
  const hi = Math.max(1, Math.ceil(Math.log10(Math.max(...ratios, 1))));

  // the JAX column (the reference the project chases) in near-black, the JS peers in colour
  let k = 0;
  const color = new Map(peers.map((p) => [p.id, p.id === JAX_SYSTEM ? "#222" : COLORS[k++ % COLORS.length]!]));
  const W = Math.max(760, 120 + cases.length * (peers.length * 16 + 28), 64 + peers.length * 130 + 16);
  const H = 460;
  const m = { l: 64, r: 16, t: 86, b: 86 };
  const pw = W - m.l - m.r, ph = H - m.t - m.b;
  const y = (logv: number) => m.t + ((hi - logv) / (hi - lo)) * ph;
  const groupW = pw / Math.max(1, cases.length);
  const barW = Math.min(18, (groupW - 12) / Math.max(1, peers.length));

  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif" font-size="12">`);
  out.push(`<rect width="100%" height="100%" fill="#fff"/>`);
  out.push(`<text x="${m.l}" y="24" font-size="16" font-weight="600">tapir vs peers: peer time ÷ tapir best time (log scale; above 1 = tapir faster)</text>`);
  const cpu = String(rep.machine.cpu ?? "");
  out.push(`<text x="${m.l}" y="44" fill="#555">${esc(`${rep.date.slice(0, 10)} · ${cpu} · ${rep.machine.cores} cores · Node ${rep.machine.node} · tapir threads ${rep.tapirThreads} · ${rep.mode} run · load avg ${rep.machine.loadAvgStart}`)}</text>`);
  // legend
  peers.forEach((p, i) => {
    const x = m.l + i * 130;
    out.push(`<rect x="${x}" y="56" width="12" height="12" fill="${color.get(p.id)}"/><text x="${x + 16}" y="66">${esc(p.label)}</text>`);
  });
  // grid: decades, with 2× and 5× as faint lines
  for (let d = lo; d <= hi; d++) {
    const yy = y(d);
    out.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${yy}" y2="${yy}" stroke="${d === 0 ? "#222" : "#ccc"}" stroke-width="${d === 0 ? 1.5 : 1}"/>`);
    const v = 10 ** d;
    out.push(`<text x="${m.l - 6}" y="${yy + 4}" text-anchor="end" fill="#333">${v >= 1 ? v : v.toPrecision(1)}×</text>`);
    if (d < hi)
      for (const k of [2, 5]) {
        const yk = y(d + Math.log10(k));
        out.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${yk}" y2="${yk}" stroke="#eee"/>`);
      }
  }
  // bars grow from 1× up (tapir faster) or down (peer faster)
  cases.forEach(({ s, c }, gi) => {
    const gx = m.l + gi * groupW + (groupW - barW * peers.length) / 2;
    peers.forEach((p, pi) => {
      const r = s.ratios[p.id];
      const x = gx + pi * barW;
      if (r === undefined) {
        out.push(`<text x="${x + barW / 2}" y="${y(0) - 4}" text-anchor="middle" font-size="9" fill="#999" transform="rotate(-90 ${x + barW / 2} ${y(0) - 4})">n/a</text>`);
        return;
      }
      const lv = Math.max(lo, Math.min(hi, Math.log10(r)));
      const y0 = y(0), y1 = y(lv);
      out.push(`<rect x="${x + 1}" y="${Math.min(y0, y1)}" width="${barW - 2}" height="${Math.max(1, Math.abs(y1 - y0))}" fill="${color.get(p.id)}"><title>${esc(`${c.workload} ${c.name} · ${p.label}: ${r.toPrecision(3)}×`)}</title></rect>`);
      const ty = lv >= 0 ? y1 - 3 : y1 + 10;
      out.push(`<text x="${x + barW / 2}" y="${ty}" text-anchor="middle" font-size="9" fill="#333">${r >= 10 ? r.toFixed(0) : r >= 1 ? r.toFixed(1) : r.toPrecision(r >= 0.1 ? 1 : 2).replace(/^0\./, ".")}</text>`);
    });
    const cx = m.l + gi * groupW + groupW / 2;
    out.push(`<text x="${cx}" y="${H - m.b + 18}" text-anchor="middle" font-weight="600">${esc(c.id)}</text>`);
    out.push(`<text x="${cx}" y="${H - m.b + 32}" text-anchor="middle" fill="#555" font-size="10">${esc(c.name.replace(/^matmul /, "matmul "))}</text>`);
  });
  out.push(`<text x="16" y="${m.t + ph / 2}" transform="rotate(-90 16 ${m.t + ph / 2})" text-anchor="middle" fill="#333">peer time ÷ tapir time</text>`);
  out.push(`<text x="${m.l}" y="${H - 18}" fill="#555" font-size="11">Each peer's median time per call divided by tapir's best (eager, jit or tape) on the same machine in the same run. n/a: not timed (see latest.json).${color.has(JAX_SYSTEM) ? " JAX-CPU: jax.jit on one core." : ""}</text>`);
  out.push(`</svg>`);
  return out.join("\n") + "\n";
}
