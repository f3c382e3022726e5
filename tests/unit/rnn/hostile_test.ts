// Issue 7: hostile values given to the rnn entry's checks: a predicate is
// false for what it cannot read, and MultiRNNCell reads every index of its
// cells (a hole is no cell; a throwing array proxy is a typed error).
import * as assert from "node:assert/strict";
import { ScopeError } from "varscope";
import { BasicRNNCell, isLSTMStateTuple, MultiRNNCell } from "varscope/rnn";
import { expectError } from "../interpreter/_backends.ts";

const trap = (): never => {
  throw new Error("hostile trap");
};

Deno.test("issue 7: isLSTMStateTuple is false for values whose reads throw", () => {
  assert.equal(isLSTMStateTuple(new Proxy({}, { get: trap })), false);
  assert.equal(isLSTMStateTuple(Object.defineProperty({}, "_tag", { get: trap })), false);
  assert.equal(isLSTMStateTuple({ _tag: "LSTMStateTuple", c: 1, h: 2 }), true);
});

Deno.test("O6, issue 7: MultiRNNCell refuses holes and unreadable cell arrays, typed", () => {
  expectError(() => new MultiRNNCell(new Array(1e6)), "InvalidArgument", ["cells[0]"]);
  const cell = new BasicRNNCell(2);
  // A hole after a real cell: forEach would skip it, an index read does not.
  const holed: unknown[] = [cell];
  holed[2] = cell;
  expectError(() => new MultiRNNCell(holed as never), "InvalidArgument", ["cells[1]"]);
  const e = expectError(
    () => new MultiRNNCell(new Proxy([cell], { get: trap }) as never),
    "InvalidArgument",
    ["MultiRNNCell cells", "hostile trap"],
  );
  assert.ok(e instanceof ScopeError && (e.cause as Error).message === "hostile trap");
  assert.equal(new MultiRNNCell([cell, new BasicRNNCell(3)]).outputSize, 3);
});
