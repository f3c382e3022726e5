/**
 * A printable table of a store's variables, for scripts and the demo.
 *
 * @module
 */
import { formatShape } from "./shape.ts";
import { requireStore, type Store } from "./store.ts";
import type { Initializer } from "../initializers/initializer.ts";

function describeInitializer(init: Initializer): string {
  switch (init._tag) {
    case "VarianceScaling":
      return init.kind;
    case "Custom":
      return `custom(${init.name})`;
    case "Value":
      return `value${formatShape(init.shape)}`;
    default:
      return init._tag.replace(
        /[A-Z]/g,
        (c, i: number) => (i === 0 ? c.toLowerCase() : `_${c.toLowerCase()}`),
      );
  }
}

/**
 * Formats every variable of a store as an aligned text table: name, shape,
 * dtype, trainable and initializer, in creation order.
 *
 * @param store the store
 * @returns the table, one line per variable after a header
 *
 * @example
 * ```ts
 * import { formatVariableTable, getVariable, runScopedOrThrow, variableScope } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const { store } = runScopedOrThrow(variableScope("dense", getVariable("kernel", { shape: [2, 3] })));
 * const lines = formatVariableTable(store).split("\n");
 * assert.match(lines[0]!, /^name\s+shape\s+dtype\s+trainable\s+initializer$/);
 * assert.match(lines[1]!, /^dense\/kernel:0\s+\[2, 3\]\s+float32\s+yes\s+glorot_uniform$/);
 * ```
 *
 * @category variables
 */
export function formatVariableTable(store: Store): string {
  requireStore(store);
  const rows: string[][] = [["name", "shape", "dtype", "trainable", "initializer"]];
  for (const v of store.variables.values()) {
    rows.push([
      v.name,
      formatShape(v.shape),
      v.dtype,
      v.trainable ? "yes" : "no",
      describeInitializer(v.initializer),
    ]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) =>
    r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join("  ")
  ).join("\n");
}
