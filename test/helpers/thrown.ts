import { expect } from "vitest";

/** The error `run` throws, which must be an instance of `Class`; fails the test when `run` throws nothing. */
export function thrownBy<T extends Error>(run: () => unknown, Class: new (...args: never[]) => T): T {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(Class);
    return error as T;
  }
  throw new Error(`expected a ${Class.name}, but the call returned`);
}
