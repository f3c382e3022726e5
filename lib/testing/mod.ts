/**
 * varscope/testing: fast-check arbitraries and laws for people who
 * property-test TF1 scope semantics. Not loaded by the main entry point;
 * import it from tests only.
 *
 * - arbitraries: valid TF names, shapes, dtypes, reuse values,
 *   `variableScope` options, stores, and random scope PROGRAMS as data
 *   ({@linkcode ProgramDescription}) with {@linkcode toProgram} to run them;
 * - laws: the Program monad laws, store persistence, determinism,
 *   default-name uniqueness and stability (TF1 B1–B5), AUTO_REUSE
 *   idempotence (C4), as predicates and as `fc.property` factories.
 *
 * docs/guide/testing_with_arbitraries.md shows how to test your own scope
 * code with them.
 *
 * ```ts
 * import { defaultNameUniquenessProperty, programArb, runDescription, traceScopeNames } from "varscope/testing";
 * import * as fc from "fast-check";
 * import * as assert from "node:assert/strict";
 *
 * fc.assert(defaultNameUniquenessProperty({ programs: programArb({ maxDepth: 2 }) }), { numRuns: 20 });
 *
 * const r = runDescription([
 *   { kind: "defaultScope", defaultName: "layer", options: {}, body: [] },
 *   { kind: "defaultScope", defaultName: "layer", options: {}, body: [] },
 * ]);
 * assert.ok(r._tag === "Right");
 * assert.deepEqual(traceScopeNames(r.right.value), ["layer", "layer_1"]);
 * ```
 *
 * @module
 */
// Listed by name: name_arbitraries.ts also exports an internal helper.
export {
  collidingNameArb,
  DEFAULT_NAME_POOL,
  defaultNameArb,
  NAME_POOL,
  nameComponentArb,
  type NameOptions,
  scopeNameArb,
  VARIABLE_NAME_POOL,
  variableNameArb,
} from "./name_arbitraries.ts";
export {
  dtypeArb,
  reuseArb,
  shapeArb,
  type ShapeOptions,
  variableScopeOptionsArb,
} from "./value_arbitraries.ts";
export {
  type ProgramDescription,
  type ProgramStep,
  type ScopeStepOptions,
  STEP_KINDS,
  type StepKind,
} from "./program_description.ts";
export {
  autoReuseProgramArb,
  programArb,
  type ProgramArbitraryOptions,
  storeArb,
} from "./program_arbitraries.ts";
export {
  flattenTrace,
  type Trace,
  type TraceEvent,
  traceScopeNames,
  traceStepVariables,
  traceVariables,
} from "./trace.ts";
export { runDescription, toProgram, type ToProgramOptions } from "./description_interpreter.ts";
export { type RunOutcome, sameOutcome } from "./run_outcome.ts";
export {
  snapshotStore,
  storesEquivalent,
  storesIdentical,
  type StoreSnapshot,
} from "./store_snapshot.ts";
export {
  associativityHolds,
  leftIdentityHolds,
  rightIdentityHolds,
  runIsDeterministic,
  storeUnchangedByRun,
} from "./program_laws.ts";
export { defaultNamesStable, defaultNamesUniqueAmongSiblings } from "./default_name_laws.ts";
export {
  autoReuseIdempotent,
  autoReuseReentryIdempotent,
  collectVariables,
} from "./auto_reuse_laws.ts";
export {
  associativityProperty,
  autoReuseIdempotenceProperty,
  defaultNameStabilityProperty,
  defaultNameUniquenessProperty,
  determinismProperty,
  type LawOptions,
  leftIdentityProperty,
  rightIdentityProperty,
  storePersistenceProperty,
} from "./properties.ts";
