import { defineConfig } from "vitest/config";

/** The WebGPU suite (`npm run test:webgpu`): needs the optional webgpu packages and an adapter; see docs/backends.md. */
export default defineConfig({
  test: {
    include: ["test/gpu/**/*.test.ts"],
    testTimeout: 300_000,
    hookTimeout: 120_000,
    pool: "forks",
  },
});
