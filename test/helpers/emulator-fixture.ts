import { startEmulator, type Emulator, type EmulatorOptions } from "../../emulator";

/**
 * The body of a vitest fixture: a fresh emulator started with the test's `emulatorOptions` (a fixture of its own, so a
 * describe can override it), closed after the test. Vitest reads the fixtures this one depends on from the destructuring
 * of its first parameter, so that parameter stays written out.
 */
export async function emulatorFixture({ emulatorOptions }: { emulatorOptions: EmulatorOptions }, use: (emulator: Emulator) => Promise<void>): Promise<void> {
  const emulator = await startEmulator(emulatorOptions);
  try {
    await use(emulator);
  } finally {
    await emulator.close();
  }
}
