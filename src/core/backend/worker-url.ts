// Where the pool's thread modules are. In the package, tsup builds worker.ts and supervisor.ts
// as entries of their own (dist/kernel-worker.js, dist/kernel-supervisor.js) next to the chunk
// that holds this code, and they import the kernel registry from shared chunks of dist/. When
// tapir runs from its TypeScript sources (vitest, tsx), a worker thread cannot load .ts files
// (Node 20), so the same entry modules are bundled once per process with esbuild (a dev
// dependency, loaded only on this path) into a data: URL: the threads still run these modules
// and import their kernels, not a copy of them.
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const fromSource = import.meta.url.endsWith(".ts");

const bundles = new Map<string, string>();

/** The ES module bundle of a TypeScript entry file (cached per process) as a data: URL. */
function bundleUrl(tsUrl: string): string {
  let url = bundles.get(tsUrl);
  if (url === undefined) {
    const esbuild = createRequire(import.meta.url)("esbuild") as {
      buildSync(o: object): { outputFiles: { text: string }[] };
    };
    const out = esbuild.buildSync({
      entryPoints: [fileURLToPath(tsUrl)],
      bundle: true,
      format: "esm",
      platform: "node",
      target: "es2022",
      write: false,
      logLevel: "silent",
    });
    url = `data:text/javascript;base64,${Buffer.from(out.outputFiles[0]!.text).toString("base64")}`;
    bundles.set(tsUrl, url);
  }
  return url;
}

/** The URL a Worker starts for one of the pool's entry modules ("worker" or "supervisor"). */
export function entryUrl(entry: "worker" | "supervisor"): URL {
  if (fromSource) return new URL(bundleUrl(new URL(`./${entry}.ts`, import.meta.url).href));
  return new URL(`./kernel-${entry}.js`, import.meta.url);
}

/**
 * A module URL a worker can import: a .ts file is bundled (when running from source), anything
 * else is used as given. For `workerModules` (tests' extra kernels).
 */
export function importableUrl(url: string): string {
  return url.endsWith(".ts") ? bundleUrl(url) : url;
}
