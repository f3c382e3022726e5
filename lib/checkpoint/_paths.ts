/**
 * Path joining for the weight-file code, with "/" separators (which Deno
 * accepts on every platform). Kept here rather than importing `node:path`,
 * whose Node typings would change global types (such as `setTimeout`'s) for
 * every module that imports this entry point.
 *
 * @module
 */

/** `dir` and `name` joined with one "/". */
export function joinPath(dir: string, name: string): string {
  return dir.endsWith("/") || dir.endsWith("\\") ? `${dir}${name}` : `${dir}/${name}`;
}

/** The folder part of a path ("." when there is none). */
export function dirOf(path: string): string {
  const i = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  if (i < 0) return ".";
  return i === 0 ? path.slice(0, 1) : path.slice(0, i);
}
