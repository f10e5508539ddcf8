import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "emulator/**/*.test.ts", "provider/**/*.test.ts"],
    // Harness tests spawn the real provider host and Node programs: give them room on 2-core machines.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Never let a leftover `.only` pass CI silently.
    allowOnly: false,
  },
});
