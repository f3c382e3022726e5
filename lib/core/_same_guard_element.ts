/**
 * How a replay compares one element of a recorded guard with the one given
 * now: identical values match, and arrays (shapes, which callers build
 * afresh on every call) match element by element.
 *
 * @module
 */

/** Whether a recorded guard element equals a given one (arrays: element by element). */
export function sameGuardElement(recorded: unknown, given: unknown): boolean {
  if (recorded === given) return true;
  if (!Array.isArray(recorded) || !Array.isArray(given) || recorded.length !== given.length) {
    return false;
  }
  for (let j = 0; j < given.length; j++) if (recorded[j] !== given[j]) return false;
  return true;
}

/**
 * The guard of a call that asks for a shape and a dtype (getVariable, the
 * interpreter's variable): the caller builds the shape afresh on every
 * call, so it is copied here and compared element by element on replay.
 */
export function shapeDTypeGuard(
  options: { shape?: unknown; dtype?: unknown } | undefined,
): unknown {
  const shape = options?.shape;
  return [Array.isArray(shape) ? shape.slice() : shape, options?.dtype];
}

/** Whether a recorded {@linkcode shapeDTypeGuard} fits these options (no allocation). */
export function matchesShapeDType(
  recorded: unknown,
  options: { shape?: unknown; dtype?: unknown } | undefined,
): boolean {
  const r = recorded as readonly unknown[];
  return sameGuardElement(r[0], options?.shape) && r[1] === options?.dtype;
}
