/**
 * Default-name uniquification cost (issue 7: it was quadratic, 10k sibling
 * `variableScope(null, { defaultName })` scopes took 5–11 s): the cost per
 * scope of a run that opens `large` sibling default-name scopes, against one
 * that opens `small`. Linear work gives a ratio near 1; the old quadratic
 * search gave about large/small.
 *
 * @module
 */
import { getVariable, type Program, runScoped, scoped, variableScope } from "varscope";
import { median } from "./_measure.ts";

/** Settings of the default-name measurement. */
export interface DefaultNameSettings {
  /** Sibling scopes of the baseline run. */
  readonly small: number;
  /** Sibling scopes of the measured run. */
  readonly large: number;
  /** Interleaved rounds (at least 21 in a full run). */
  readonly rounds: number;
}

/** The outcome: per-scope costs and the paired ratio with its spread. */
export interface DefaultNameResult {
  /** Median microseconds per scope, small run. */
  readonly smallUs: number;
  /** Median microseconds per scope, large run. */
  readonly largeUs: number;
  /** Median of the per-round ratios (large per-scope / small per-scope). */
  readonly ratio: number;
  /** Smallest and largest per-round ratio. */
  readonly spread: readonly [number, number];
}

function* siblings(n: number): Generator<Program<unknown>, number, unknown> {
  for (let i = 0; i < n; i++) {
    yield* variableScope(null, { defaultName: "layer" }, getVariable("w", { shape: [1] }));
  }
  return n;
}

function timePerScope(p: Program<number>, n: number): number {
  const t = performance.now();
  const r = runScoped(p);
  const dt = performance.now() - t;
  if (r._tag === "Left" || r.right.value !== n) throw new Error("default-name bench failed");
  return (dt * 1000) / n;
}

/**
 * Measures the per-scope cost of `large` sibling default-name scopes
 * against `small`, alternating which runs first each round.
 *
 * @param s the sizes and rounds
 * @returns the per-scope costs and the paired ratio
 */
export function measureDefaultNames(s: DefaultNameSettings): DefaultNameResult {
  const small = scoped(siblings, s.small);
  const large = scoped(siblings, s.large);
  timePerScope(small, s.small); // warm-up
  timePerScope(large, s.large);
  const smalls: number[] = [], larges: number[] = [], ratios: number[] = [];
  for (let round = 0; round < s.rounds; round++) {
    let a: number, b: number;
    if (round % 2 === 0) {
      a = timePerScope(small, s.small);
      b = timePerScope(large, s.large);
    } else {
      b = timePerScope(large, s.large);
      a = timePerScope(small, s.small);
    }
    smalls.push(a);
    larges.push(b);
    ratios.push(b / a);
  }
  return {
    smallUs: median(smalls),
    largeUs: median(larges),
    ratio: median(ratios),
    spread: [Math.min(...ratios), Math.max(...ratios)],
  };
}
