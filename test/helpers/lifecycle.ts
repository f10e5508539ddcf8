// Fixtures for tests that call `provider/lifecycle.ts` directly (no provider host): each test gets its own
// emulator on 127.0.0.1:0, its own keep-alive HttpClient with fast retries, a progress sink that collects
// what a user would read, and an empty HOME (so no real ~/.qingcloud/config.yaml is ever read).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { test as base } from "vitest";
import type { Emulator, EmulatorOptions } from "../../emulator";
import { emulatorFixture } from "./emulator-fixture";
import { HttpClient } from "../../provider/clients/http";
import type { JobSetError } from "../../provider/errors";
import type { Services } from "../../provider/lifecycle";
import type { Progress } from "../../provider/wait/progress";

/** Retries that happen, quickly: the tests check that retries happen, not how long they take. */
export const FAST_RETRY = { minDelayMs: 10, throttledMinDelayMs: 10, maxDelayMs: 40 } as const;

/** Progress lines, by kind, as a user would read them. */
export interface CollectedProgress extends Progress {
  logs: string[];
  statuses: string[];
  warnings: string[];
}

export function collectingProgress(): CollectedProgress {
  const logs: string[] = [];
  const statuses: string[] = [];
  const warnings: string[] = [];
  return {
    logs,
    statuses,
    warnings,
    log: (message) => logs.push(message),
    status: (message) => statuses.push(message),
    warn: (message) => warnings.push(message),
  };
}

interface Fixtures {
  emulatorOptions: EmulatorOptions;
  emu: Emulator;
  http: HttpClient;
  progress: CollectedProgress;
  /** An empty directory used as HOME. */
  home: string;
}

export const test = base.extend<Fixtures>({
  emulatorOptions: {},
  emu: emulatorFixture,
  http: async ({}, use) => {
    const http = new HttpClient({ retry: FAST_RETRY });
    try {
      await use(http);
    } finally {
      await http.close();
    }
  },
  progress: async ({}, use) => {
    await use(collectingProgress());
  },
  home: async ({}, use) => {
    const dir = mkdtempSync(path.join(tmpdir(), "jobsets-home-"));
    try {
      await use(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
});

/** The services a provider process would build, over this test's client, progress and environment. */
export function servicesFor(
  fixtures: { http: HttpClient; progress: Progress },
  env: Record<string, string | undefined>,
  config: Record<string, string> = {},
): Services {
  return { http: fixtures.http, config: (key) => config[key], env, progress: fixtures.progress, concurrency: 4 };
}

/** The error `promise` rejects with (a JobSetError's fields when it is one); fails the test when it resolves instead. */
export async function failure(promise: Promise<unknown>): Promise<Error & Partial<JobSetError>> {
  try {
    await promise;
  } catch (error) {
    return error as Error & Partial<JobSetError>;
  }
  throw new Error("expected the operation to fail, but it succeeded");
}
