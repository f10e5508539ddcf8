/**
 * What the benchmark reads about the provider host process from Linux's /proc: its peak resident memory
 * (`VmHWM`, the high-water mark the kernel keeps, so nothing is missed between samples) and its CPU time
 * (user + system, from /proc/<pid>/stat). Elsewhere these read as undefined and the figures say "n/a".
 */
import * as fs from "node:fs";

/** Peak resident set size of `pid` in bytes (VmHWM), or undefined where /proc is not available. */
export function peakRssBytes(pid: number): number | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = /^VmHWM:\s+(\d+)\s+kB/m.exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

/** CPU time `pid` has used so far (user + system), in ms, or undefined where /proc is not available. */
export function cpuTimeMs(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces and parentheses: count fields after its closing ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    // Clock ticks; 100 a second on every Linux Node supports (sysconf(_SC_CLK_TCK)).
    return Number.isFinite(utime) && Number.isFinite(stime) ? ((utime + stime) * 1000) / CLOCK_TICKS_PER_S : undefined;
  } catch {
    return undefined;
  }
}

const CLOCK_TICKS_PER_S = 100;

/** Resident set size of `pid` now, in bytes (VmRSS), or undefined where /proc is not available. */
export function rssBytes(pid: number): number | undefined {
  try {
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}
