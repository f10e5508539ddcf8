import {
  DEFAULT_ACCESS_KEY,
  DEFAULT_PROJECT_ID,
  DEFAULT_QINGCLOUD_ACCESS_KEY_ID,
  DEFAULT_QINGCLOUD_SECRET_ACCESS_KEY,
  DEFAULT_SECRET_KEY,
  type Emulator,
} from "../../emulator";

/** Environment of a provider host talking to `emu` with the emulator's default AK/SK. */
export function emulatorEnv(emu: Emulator, extra: Record<string, string> = {}): Record<string, string> {
  return {
    HW_ACCESS_KEY: DEFAULT_ACCESS_KEY,
    HW_SECRET_KEY: DEFAULT_SECRET_KEY,
    HW_PROJECT_ID: DEFAULT_PROJECT_ID,
    JOBSETS_DLI_ENDPOINT: emu.url,
    JOBSETS_MRS_ENDPOINT: emu.url,
    JOBSETS_EHPC_ENDPOINT: emu.url,
    QY_ACCESS_KEY_ID: DEFAULT_QINGCLOUD_ACCESS_KEY_ID,
    QY_SECRET_ACCESS_KEY: DEFAULT_QINGCLOUD_SECRET_ACCESS_KEY,
    // Never the developer's real ~/.qingcloud/config.yaml.
    HOME: "/nonexistent-jobsets-test-home",
    // Fast backoff: the tests check that retries happen, not how long they take.
    JOBSETS_RETRY_MIN_DELAY_MS: "20",
    ...extra,
  };
}
