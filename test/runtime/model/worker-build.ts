/**
 * Worker threads run compiled JavaScript, and vitest runs the TypeScript sources: compile the
 * shard worker's module closure once into an ignored cache folder inside the repository (so that
 * node_modules resolves from there).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

/** Compiles the worker; `remove()` deletes the build. */
export function buildShardWorker(): { url: URL; remove: () => void } {
  const out = join(root, ".rlp-cache", `test-worker-${process.pid}`);
  mkdirSync(out, { recursive: true });
  writeFileSync(
    join(out, "tsconfig.json"),
    JSON.stringify({
      extends: join(root, "tsconfig.json"),
      compilerOptions: { outDir: out, rootDir: root, sourceMap: false, noEmitOnError: true },
      include: [],
      files: [join(root, "src/runtime/model/shard-worker.ts")],
    }),
  );
  const remove = () => rmSync(out, { recursive: true, force: true });
  try {
    execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", join(out, "tsconfig.json")], { stdio: "pipe" });
  } catch (e) {
    remove();
    const output = (e as { stdout?: Buffer }).stdout?.toString() ?? "";
    throw new Error(`compiling the shard worker failed:\n${output}`);
  }
  return { url: pathToFileURL(join(out, "src/runtime/model/shard-worker.js")), remove };
}
