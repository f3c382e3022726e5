/**
 * The replay half of `tracedStep` for a guard of two values, without
 * building the guard array: `getVariable` and the interpreter's `variable`
 * run it for every variable of every compiled forward pass, where an array
 * and a closure per call were most of what a replayed step cost.
 *
 * @module
 */
import { type Trace, TRACE_MISS } from "./trace.ts";
import { sameGuardElement } from "./_same_guard_element.ts";

/**
 * In replay mode: the value recorded at the cursor when its key is `key` and
 * its guard was `[guard0, guard1]`; the cursor then skips the entry and what
 * was recorded inside it. Otherwise {@linkcode TRACE_MISS}, cursor unmoved.
 */
export function replayGuarded(
  trace: Trace,
  key: unknown,
  guard0: unknown,
  guard1: unknown,
): unknown {
  const i = trace.cursor;
  if (i >= trace.keys.length || trace.keys[i] !== key) return TRACE_MISS;
  const recorded = trace.guards[i] as readonly unknown[] | undefined;
  if (
    recorded === undefined || recorded.length !== 2 ||
    !sameGuardElement(recorded[0], guard0) || !sameGuardElement(recorded[1], guard1)
  ) {
    return TRACE_MISS;
  }
  trace.cursor = trace.ends[i]!;
  return trace.values[i];
}
