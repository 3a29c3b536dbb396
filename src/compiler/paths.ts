/** Where the package's own files (stdlib/, package.json) are, from source or from dist/. */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "stdlib"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error("cannot find the rlp package root (package.json next to stdlib/)");
    dir = parent;
  }
}

export function stdlibDir(): string {
  return join(packageRoot(), "stdlib");
}
