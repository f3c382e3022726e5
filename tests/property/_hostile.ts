// The hostile values the export sweeps call public functions with, and
// what counts as a typed error.

/** Throws: the trap of every hostile proxy and getter. */
export const trap = (): never => {
  throw new Error("hostile trap");
};
const throwingProxy = new Proxy({}, {
  get: trap,
  has: trap,
  ownKeys: trap,
  getOwnPropertyDescriptor: trap,
  getPrototypeOf: trap,
  isExtensible: trap,
  set: trap,
  apply: trap,
});
const throwingFunctionProxy = new Proxy(() => 1, { get: trap, apply: trap, getPrototypeOf: trap });
const arrayProxy = new Proxy([1, 2], { get: trap, getOwnPropertyDescriptor: trap, ownKeys: trap });
const throwingGetters = Object.defineProperties({}, {
  _tag: { get: trap, enumerable: true },
  shape: { get: trap, enumerable: true },
  name: { get: trap, enumerable: true },
});
const forgedStore = { _tag: "Store", variables: null };
const forgedVariable = { _tag: "Variable" };

/** Hostile values by name. */
export const HOSTILE: readonly [string, () => unknown][] = [
  ["null", () => null],
  ["undefined", () => undefined],
  ["0", () => 0],
  ["-1", () => -1],
  ["NaN", () => NaN],
  ["Infinity", () => Infinity],
  ["1e9", () => 1e9],
  ["MAX_VALUE", () => Number.MAX_VALUE],
  ["empty string", () => ""],
  ["odd string", () => "bad name!"],
  ["throwing proxy", () => throwingProxy],
  ["throwing function proxy", () => throwingFunctionProxy],
  ["array proxy", () => arrayProxy],
  ["throwing getters", () => throwingGetters],
  ["frozen object", () => Object.freeze({})],
  ["frozen array", () => Object.freeze([1, 2])],
  ["huge array", () => new Array(1e5).fill(1e9)],
  ["huge sparse array", () => new Array(1e6)],
  ["nested array", () => [[1], [2, 3]]],
  ["forged store", () => forgedStore],
  ["forged variable", () => forgedVariable],
  ["function", () => () => 1],
];

/** Whether `f` is a class (called with `new`). */
export function isClass(f: unknown): boolean {
  return typeof f === "function" && /^class[\s{]/.test(Function.prototype.toString.call(f));
}

/** Whether `e` is a typed error: an Error with a string `tag` or `code`. */
export function typed(e: unknown): boolean {
  return e instanceof Error &&
    (typeof (e as { tag?: unknown }).tag === "string" ||
      typeof (e as { code?: unknown }).code === "string");
}
