/**
 * The `.rlp` files a command's path arguments name: files as given, directories searched
 * recursively in sorted order (hidden directories and `node_modules` skipped).
 */
import { readdir, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { UsageError } from "./args.js";

/** A file by the path to show the user and its absolute path. */
export interface RlpFile {
  readonly shown: string;
  readonly path: string;
}

async function walk(dir: string, shown: string): Promise<RlpFile[]> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const out: RlpFile[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(path, join(shown, entry.name))));
    else if (entry.isFile() && entry.name.endsWith(".rlp")) out.push({ shown: join(shown, entry.name), path });
  }
  return out;
}

/** One path argument: the file itself, or every `.rlp` file under a directory. */
export async function rlpFiles(given: string, cwd: string): Promise<RlpFile[]> {
  const path = resolve(cwd, given);
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) throw new UsageError(`cannot read \`${given}\`: no such file or directory`);
  return info.isDirectory() ? walk(path, given) : [{ shown: given, path }];
}
