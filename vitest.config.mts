import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "emulator/**/*.test.ts", "provider/**/*.test.ts"],
    // The end-to-end suite (real CLI) has its own config and command: npm run test:e2e.
    exclude: [...configDefaults.exclude, "test/e2e/**"],
    // Harness tests spawn the real provider host and Node programs: give them room on 2-core machines.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Vitest's default on 2 cores is one worker; most of a harness test's time is spent waiting on child
    // processes (program, provider host) and the emulator, so two files side by side nearly halve the wall time.
    maxWorkers: 2,
    // Never let a leftover `.only` pass CI silently.
    allowOnly: false,
  },
});
