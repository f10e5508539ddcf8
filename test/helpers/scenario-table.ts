// Running a table of scenarios and printing it: rows that share something take turns, and the results go out as a
// plain-text table.

export interface TableRow {
  [column: string]: string | number;
}

/** A plain-text table with a header line, columns padded to their widest cell. */
export function formatTable(rows: readonly TableRow[], columns: readonly string[]): string {
  const cells = [columns.map(String), ...rows.map((row) => columns.map((c) => String(row[c] ?? "")))];
  const widths = columns.map((_, i) => Math.max(...cells.map((line) => line[i]!.length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i]!)).join("  ").trimEnd();
  return [line(cells[0]!), widths.map((w) => "-".repeat(w)).join("  "), ...cells.slice(1).map(line)].join("\n");
}

/** The first line of an error message, shortened for a table cell. */
export function firstLine(message: string, max = 110): string {
  const line = message.split("\n").find((l) => l.trim() !== "")?.trim() ?? "";
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** A promise-chain lock: rows that share something (a host's clock, an emulator) run one at a time. */
export function serial(): <T>(task: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(task: () => Promise<T>) => {
    const result = tail.then(task, task);
    tail = result.catch(() => undefined);
    return result;
  };
}
