import { defineConfig } from "vitest/config";

// The end-to-end suite: the real `pulumi` CLI (npm run build:cli) against the emulator. Kept out of `npm test`,
// which must stay fast and run on machines without Go.
export default defineConfig({
  test: {
    include: ["test/e2e/**/*.e2e.test.ts"],
    // One CLI command starts the engine, the program and a provider host: minutes, not seconds, on 2 cores.
    testTimeout: 10 * 60_000,
    hookTimeout: 2 * 60_000,
    pool: "forks",
    // Each file drives whole stacks through the CLI, which already keeps both cores busy.
    maxWorkers: 1,
    allowOnly: false,
  },
});
