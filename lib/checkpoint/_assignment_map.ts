/**
 * TF1 `init_from_checkpoint` assignment maps resolved against a store:
 * which file tensor fills which variables (checkpoint_utils.py rules).
 *
 * @module
 */
import { describeValue } from "../core/errors.ts";
import { listVariables, type Store } from "../core/store.ts";
import type { PartitionedVariable, Variable } from "../core/variable.ts";
import { compareNames } from "./_tensor_values.ts";
import { CheckpointError } from "./checkpoint_error.ts";
import { errorText } from "./_guard.ts";

/**
 * What an assignment map may map a checkpoint name to: a variable name or
 * scope ("new_scope/", "/"), a variable, a partitioned variable, or the
 * list of its shards.
 *
 * @category checkpoint
 */
export type AssignmentTarget = string | Variable | PartitionedVariable | readonly Variable[];

/**
 * TF1's `assignment_map`: checkpoint names (or scopes ending in "/", or
 * "/" for the root) to variables (or scopes). A list of pairs may map one
 * checkpoint tensor to several variables.
 *
 * @category checkpoint
 */
export type AssignmentMap =
  | Readonly<Record<string, AssignmentTarget>>
  | readonly (readonly [string, AssignmentTarget])[];

/** @internal One variable (or the shards of one partitioned variable) and its file tensor. */
export interface Assignment {
  /** The file tensor's name. */
  readonly key: string;
  /** The variable's logical name (a partitioned variable's full name). */
  readonly logical: string;
  /** The store variables filled (one, or the shards). */
  readonly variables: readonly Variable[];
}

function mapError(
  message: string,
  details: Record<string, unknown> = {},
  cause?: unknown,
): CheckpointError {
  return new CheckpointError("AssignmentMap", message, {
    details,
    ...(cause === undefined ? {} : { cause }),
  });
}

function pairsOf(map: unknown): [string, unknown][] {
  try {
    return readPairs(map);
  } catch (e) {
    if (e instanceof CheckpointError) throw e;
    // A proxy or getter that throws.
    throw mapError(`Invalid assignment map: unreadable (${errorText(e)})`, {}, e);
  }
}

function readPairs(map: unknown): [string, unknown][] {
  let pairs: unknown[];
  // Array.from, not map: a hole in a sparse list is a bad entry too.
  if (Array.isArray(map)) pairs = Array.from(map as unknown[]);
  else if (typeof map === "object" && map !== null) {
    pairs = Object.keys(map).map((k) => {
      const d = Object.getOwnPropertyDescriptor(map, k);
      return [k, d !== undefined && "value" in d ? d.value : undefined];
    });
  } else {
    throw mapError(
      `Invalid assignment map: expected a record or a list of [checkpoint name, target] pairs, got ${
        describeValue(map)
      }`,
    );
  }
  return pairs.map((p, i) => {
    if (!Array.isArray(p) || p.length !== 2 || typeof p[0] !== "string") {
      throw mapError(
        `Invalid assignment map entry ${i}: expected [name, target], got ${describeValue(p)}`,
      );
    }
    return [p[0], p[1]];
  });
}

// The store variables a target names, or null for a name that is not one
// (a scope). Reads the caller's target: a getter or proxy trap that throws
// is an AssignmentMap error.
function targetVariables(
  key: string,
  target: unknown,
  vars: ReadonlyMap<string, Variable>,
): Variable[] | null {
  try {
    return readTarget(key, target, vars);
  } catch (e) {
    if (e instanceof CheckpointError) throw e;
    throw mapError(
      `Assignment map target for "${key}" is unreadable (${errorText(e)})`,
      { key },
      e,
    );
  }
}

function readTarget(
  key: string,
  target: unknown,
  vars: ReadonlyMap<string, Variable>,
): Variable[] | null {
  let vs: Variable[] | null = null;
  if (isVar(target)) vs = [target];
  else if ((target as { _tag?: unknown } | null)?._tag === "PartitionedVariable") {
    vs = [...(target as PartitionedVariable).parts];
  } else if (Array.isArray(target)) {
    const list = Array.from(target as unknown[]);
    if (list.length === 0 || !list.every(isVar)) {
      throw mapError(`Assignment map target for "${key}" is not a list of variables`, { key });
    }
    const full = list[0]!.saveSliceInfo?.fullName;
    for (const v of list) {
      if (v.saveSliceInfo?.fullName !== full || full === undefined) {
        throw mapError(
          `Slices must all be from the same partitioned variable: "${
            full ?? list[0]!.fullName
          }" and "${v.saveSliceInfo?.fullName ?? v.fullName}"`,
          { key },
        );
      }
    }
    vs = list;
  } else if (typeof target === "string") {
    const v = vars.get(target);
    vs = v !== undefined ? [v] : shardsOf(target, vars);
  } else {
    throw mapError(
      `Assignment map target for "${key}" must be a name, a variable or a list of shards; got ${
        describeValue(target)
      }`,
      { key },
    );
  }
  // A forged variable (or a PartitionedVariable's parts) is checked below
  // against the store by identity.
  if (vs !== null && !vs.every((v) => typeof v === "object" && v !== null)) {
    throw mapError(`Assignment map target for "${key}" holds something not a variable`, { key });
  }
  if (vs !== null) {
    for (const v of vs) {
      if (vars.get(v.fullName) !== v) {
        throw mapError(`Variable "${v.fullName}" is not in the store being restored`, {
          key,
          variable: String(v.fullName),
        });
      }
    }
  }
  return vs;
}

function shardsOf(name: string, vars: ReadonlyMap<string, Variable>): Variable[] | null {
  if (!vars.has(`${name}/part_0`)) return null;
  const out: Variable[] = [];
  for (let i = 0; vars.has(`${name}/part_${i}`); i++) out.push(vars.get(`${name}/part_${i}`)!);
  return out;
}

function isVar(x: unknown): x is Variable {
  return (x as { _tag?: unknown } | null)?._tag === "Variable";
}

function logicalOf(vs: readonly Variable[]): string {
  return vs[0]!.saveSliceInfo?.fullName ?? vs[0]!.fullName;
}

/**
 * @internal Resolves an assignment map as TF1 does: pairs sorted by
 * checkpoint name; a target that names a variable (or a partitioned
 * variable's shards) takes that tensor; otherwise the pair maps scopes,
 * and every variable under the target scope takes the tensor of the same
 * relative name under the checkpoint scope. `has` says whether the file
 * holds a name; `onMissing` throws TF1's error or returns the assignment
 * anyway (restore reports it).
 */
export function resolveAssignmentMap(
  store: Store,
  map: unknown,
  has: (key: string) => boolean,
  where: string,
  onMissing: "throw" | "keep",
): Assignment[] {
  const vars = new Map(listVariables(store).map((v) => [v.fullName, v]));
  const pairs = pairsOf(map).sort((a, b) => compareNames(a[0], b[0]));
  const out: Assignment[] = [];
  const missing = (key: string, what: string): void => {
    if (onMissing === "throw") {
      throw new CheckpointError("NotFound", `Tensor ${what} is not found in ${where}`, {
        details: { key },
      });
    }
  };
  for (const [key, target] of pairs) {
    const vs = targetVariables(key, target, vars);
    if (vs !== null) {
      if (!has(key)) missing(key, key);
      out.push({ key, logical: logicalOf(vs), variables: vs });
      continue;
    }
    const value = target as string;
    const scopes = value.includes("/") ? value.slice(0, value.lastIndexOf("/")) : "";
    if (!key.endsWith("/")) {
      throw mapError(
        `Assignment map with scope only name "${scopes}" should map to scope only "${key}": use "scope/": "other_scope/" (or "${key}" names no variable of the store)`,
        { key, target: value },
      );
    }
    const inScope = new Set<string>();
    for (const name of vars.keys()) {
      if (scopes === "" || name.startsWith(`${scopes}/`)) {
        const cut = name.indexOf("/part_");
        inScope.add(cut >= 0 ? name.slice(0, cut) : name);
      }
    }
    for (const name of [...inScope].sort(compareNames)) {
      let full = name.slice(scopes.length);
      if (value !== "/") full = full.slice(1);
      if (key !== "/") full = key + full;
      if (full.endsWith("/")) full = full.slice(0, -1);
      if (!has(full)) {
        missing(full, `${full} (${name.slice(scopes === "" ? 0 : scopes.length + 1)} in ${key})`);
      }
      const v = vars.get(name);
      const targets = v !== undefined ? [v] : shardsOf(name, vars);
      if (targets === null) continue; // "a/part_x" names that are not shards
      out.push({ key: full, logical: name, variables: targets });
    }
  }
  return out;
}
