import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // test/gpu is a separate suite (npm run test:webgpu, vitest.gpu.config.ts): it needs optional packages
    exclude: ["**/node_modules/**", "test/gpu/**"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
  },
});
