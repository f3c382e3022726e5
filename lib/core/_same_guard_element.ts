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
