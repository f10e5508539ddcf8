// Shared code of the fault-injection suite (test/reliability/) and the secrets checks, one concern a module:
// - test-credentials.ts: the credentials a run must never leave behind, and the emulator and host that use them;
// - kind-drivers.ts: the four kinds as data (how to seed, inspect and declare a set of each), and sets declared
//   from one program run;
// - restartable-emulator.ts: an emulator that can be restarted with its jobs, and a watch for a call;
// - call-stats.ts: the call statistics of the scenario table;
// - teardown-invariant.ts: the invariant every scenario ends with;
// - scenario-table.ts: rows that take turns, and the printed table.
export * from "./call-stats";
export * from "./kind-drivers";
export * from "./restartable-emulator";
export * from "./scenario-table";
export * from "./teardown-invariant";
export * from "./test-credentials";
