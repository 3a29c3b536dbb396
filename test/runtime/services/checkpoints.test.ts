import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Effect } from "effect";
import { describe, expect, it } from "vitest";
import { readCheckpoint, readLatestName, stepDirName, writeCheckpoint } from "../../../src/runtime/services/checkpoint-files.js";
import { Checkpoints } from "../../../src/runtime/services/checkpoints.js";

const content = (step: number) => ({ step, state: { data_cursor: step * 4 }, tensors: { "policy/w": Float32Array.from([step, 0.5, -1e-7]), "optimizer/m": new Float32Array(3) } });

describe("checkpoint files", () => {
  it("round-trips state and tensors bit for bit and names the step in `latest`", () => {
    const root = join(mkdtempSync(join(tmpdir(), "rlp-ckpt-")), "checkpoints");
    const path = writeCheckpoint(root, content(12));
    expect(path).toBe(join(root, "step_000012"));
    expect(readLatestName(root)).toBe("step_000012");
    const back = readCheckpoint(path);
    expect(back.step).toBe(12);
    expect(back.state["data_cursor"]).toBe(48);
    expect(Array.from(back.tensors["policy/w"]!)).toEqual(Array.from(Float32Array.from([12, 0.5, -1e-7])));
    expect(readdirSync(root).sort()).toEqual(["latest", "step_000012"]);
  });

  it("detects a damaged tensor file", () => {
    const root = join(mkdtempSync(join(tmpdir(), "rlp-ckpt-")), "checkpoints");
    const path = writeCheckpoint(root, content(1));
    writeFileSync(join(path, "tensors.bin"), Buffer.alloc(24));
    expect(() => readCheckpoint(path)).toThrow(/does not match the checksum/);
  });

  it("ignores a temporary directory left by a killed save and replaces a stale step directory", () => {
    const root = join(mkdtempSync(join(tmpdir(), "rlp-ckpt-")), "checkpoints");
    writeCheckpoint(root, content(2));
    mkdirSync(join(root, `${stepDirName(4)}.tmp`));
    mkdirSync(join(root, stepDirName(4)));
    expect(readLatestName(root)).toBe("step_000002");
    writeCheckpoint(root, content(4));
    expect(readLatestName(root)).toBe("step_000004");
    expect(readCheckpoint(join(root, "step_000004")).state["data_cursor"]).toBe(16);
    expect(existsSync(join(root, "step_000004.stale"))).toBe(false);
  });
});

describe("Checkpoints service", () => {
  it("keeps the newest K checkpoints and loads the latest", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rlp-ckpt-"));
    const result = await Effect.runPromise(
      Effect.gen(function* () {
        const ckpt = yield* Checkpoints;
        const none = yield* ckpt.latest;
        for (const step of [2, 4, 6, 8]) yield* ckpt.save(content(step));
        return { none, steps: yield* ckpt.steps, latest: yield* ckpt.latest, six: yield* ckpt.load(6) };
      }).pipe(Effect.provide(Checkpoints.layer({ dir, keep: 2 }))),
    );
    expect(result.none).toBeUndefined();
    expect(result.steps).toEqual([6, 8]);
    expect(result.latest?.step).toBe(8);
    expect(result.six.state["data_cursor"]).toBe(24);
    expect(readFileSync(join(dir, "checkpoints", "latest"), "utf8")).toBe("step_000008\n");
  });

  it("fails with a CheckpointError naming the path when `latest` points nowhere", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rlp-ckpt-"));
    mkdirSync(join(dir, "checkpoints"));
    writeFileSync(join(dir, "checkpoints", "latest"), "step_000003\n");
    const error = await Effect.runPromise(Effect.flip(Effect.gen(function* () { return yield* (yield* Checkpoints).latest; }).pipe(Effect.provide(Checkpoints.layer({ dir })))));
    expect(error._tag).toBe("CheckpointError");
    expect(error.message).toContain("does not exist");
  });
});

describe("Checkpoints.layerTest", () => {
  it("keeps copies in memory with the same keep and latest rules", async () => {
    const tensor = Float32Array.from([1, 2, 3]);
    const result = await Effect.runPromise(
      Effect.gen(function* () {
        const ckpt = yield* Checkpoints;
        for (const step of [1, 2, 3]) yield* ckpt.save({ step, state: { data_cursor: step }, tensors: { "policy/w": tensor } });
        tensor[0] = 99;
        const missing = yield* Effect.flip(ckpt.load(1));
        return { steps: yield* ckpt.steps, latest: yield* ckpt.latest, missing };
      }).pipe(Effect.provide(Checkpoints.layerTest(2))),
    );
    expect(result.steps).toEqual([2, 3]);
    expect(result.latest?.step).toBe(3);
    expect(Array.from(result.latest!.tensors["policy/w"]!)).toEqual([1, 2, 3]);
    expect(result.missing._tag).toBe("CheckpointError");
  });
});
