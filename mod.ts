/**
 * varscope: TensorFlow 1.x variable scoping as a purely functional DSL.
 *
 * Programs are values: `getVariable`, `variableScope`, `nameScope` and
 * friends build a {@linkcode Program}; `runScoped` runs it on an immutable
 * store and returns the value and a new store. This entry point loads no
 * tensor library: tensors live in `varscope/tfjs`, fast-check helpers in
 * `varscope/testing`.
 *
 * The exports below are grouped by what a user does with them.
 *
 * ```ts
 * import { getVariable, runScopedOrThrow, variableScope } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const { value } = runScopedOrThrow(variableScope("foo", variableScope("bar", getVariable("v", { shape: [1] }))));
 * assert.equal(value.name, "foo/bar/v:0");
 * ```
 *
 * @module
 */

// Writing programs: the Program type, do-notation and combinators.
export {
  ap,
  ask,
  bind,
  bindTo,
  catchError,
  Do,
  type Env,
  fail,
  flatMap,
  fromEither,
  getState,
  getStore,
  isProgram,
  makeProgram,
  map,
  Monad,
  of,
  type Program,
  type ProgramGenerator,
  type ProgramMonad,
  type RunContext,
  type RunState,
  scoped,
  sequenceArray,
  type Step,
  tap,
  traverseArray,
  URI,
} from "./lib/core/program.ts";

// Running programs.
export {
  type RunOptions,
  type RunResult,
  runScoped,
  runScopedOrThrow,
  runWith,
  startState,
} from "./lib/core/run.ts";
export {
  type CreateVariables,
  createVariables,
  type CreationPolicy,
  type OwnedByObject,
  ownedByObject,
  type ReuseOnly,
  reuseOnly,
} from "./lib/core/creation_policy.ts";
export { Recording, ReplayDiverged } from "./lib/core/recording.ts";

// Variables: getVariable and what it returns.
export {
  getLocalVariable,
  getVariable,
  type GetVariableOptions,
  trueGetter,
} from "./lib/core/get_variable.ts";
export {
  type Aggregation,
  type CachingDevice,
  isPartitionedVariable,
  isVariable,
  type PartitionedVariable,
  type SaveSliceInfo,
  type Synchronization,
  type Variable,
  type VariableLike,
} from "./lib/core/variable.ts";
export {
  composeCustomGetters,
  type CustomGetter,
  type Getter,
  type GetterArgs,
} from "./lib/core/custom_getter.ts";

// Scopes: variable scopes, name scopes, reuse and the scope setters.
export { variableScope, type VariableScopeOptions } from "./lib/core/variable_scope.ts";
export { isVariableScope, rootScope, type VariableScope } from "./lib/core/scope.ts";
export {
  getVariableScope,
  reuseVariables,
  setCachingDevice,
  setCustomGetter,
  setDType,
  setInitializer,
  setPartitioner,
  setRegularizer,
  setUseResource,
} from "./lib/core/scope_setters.ts";
export { type Body, getNameScope, nameScope, opName } from "./lib/core/name_scope.ts";
export {
  AUTO_REUSE,
  type AutoReuse,
  parseReuse,
  type ReuseArgument,
  type ScopeReuse,
} from "./lib/core/reuse.ts";

// The store, collections and tables of variables.
export {
  emptyStore,
  findPartitionedVariable,
  findVariable,
  isStore,
  listPartitionedVariables,
  listVariables,
  type Store,
  type TemplateState,
} from "./lib/core/store.ts";
export type { NameMap } from "./lib/core/name_map.ts";
export type { PersistentMap } from "./lib/core/persistent_map.ts";
export type { PersistentMultiList } from "./lib/core/persistent_multi_list.ts";
export type { ScopeCounts } from "./lib/core/scope_counts.ts";
export type { NameTable } from "./lib/core/name_table.ts";
export {
  addToCollection,
  getCollection,
  getScopeCollection,
  globalVariables,
  GraphKeys,
  localVariables,
  type RegularizationLoss,
  regularizationLosses,
  trainableVariables,
} from "./lib/core/collections.ts";
export { formatVariableTable } from "./lib/core/variable_table.ts";

// Templates (TF1 make_template).
export {
  makeTemplate,
  type MakeTemplateOptions,
  type Template,
  templateGlobalVariables,
  templateLocalVariables,
  templateTrainableVariables,
  templateVariableScope,
  templateVariableScopeName,
} from "./lib/core/template.ts";

// Names, shapes and dtypes.
export {
  type DType,
  DTYPES,
  isFloatingDType,
  isIntegerDType,
  parseDType,
} from "./lib/core/dtype.ts";
export {
  DEFAULT_MAX_ELEMENTS,
  type FullShape,
  isFullyDefined,
  MAX_RANK,
  numElements,
  parseShape,
  type Shape,
  shapesCompatible,
} from "./lib/core/shape.ts";
export { joinName, validateRelativeName } from "./lib/core/name.ts";

// Errors.
export { ScopeError, scopeError, type ScopeErrorTag } from "./lib/core/errors.ts";
export type { Either, Left, Right } from "./lib/core/either.ts";

// Initializers and initial values.
export {
  constantInitializer,
  customInitializer,
  type FanMode,
  glorotNormalInitializer,
  glorotUniformInitializer,
  heNormalInitializer,
  heUniformInitializer,
  identityInitializer,
  type Initializer,
  type InitializerFunction,
  type InitializerTag,
  isInitializer,
  lecunNormalInitializer,
  lecunUniformInitializer,
  type NormalOptions,
  onesInitializer,
  orthogonalInitializer,
  type PartitionInfo,
  randomNormalInitializer,
  randomUniformInitializer,
  type Scalar,
  type ScalingDistribution,
  type Seed,
  truncatedNormalInitializer,
  varianceScalingInitializer,
  type VarianceScalingOptions,
  zerosInitializer,
} from "./lib/initializers/initializer.ts";
export {
  type InitializerLike,
  tensorValue,
  type ValueDescriptor,
} from "./lib/initializers/value.ts";
export {
  type InitialValue,
  type InitialValueArray,
  materialize,
  type MaterializeOptions,
  materializeOrThrow,
} from "./lib/initializers/materialize.ts";

// Regularizers and constraints.
export {
  l1L2Regularizer,
  l1Regularizer,
  l2Regularizer,
  noRegularizer,
  type Regularizer,
  regularizerFn,
  type RegularizerFunction,
} from "./lib/regularizers/regularizer.ts";
export {
  type Constraint,
  type ConstraintFunction,
  maxNormConstraint,
  minMaxNormConstraint,
  nonNegConstraint,
  unitNormConstraint,
} from "./lib/constraints/constraint.ts";

// Partitioners.
export { MAX_SHARDS, type Partitioner, type Slice } from "./lib/partitioners/partitioner.ts";
export { fixedSizePartitioner } from "./lib/partitioners/fixed_size.ts";
export {
  type VariableAxisSizeOptions,
  variableAxisSizePartitioner,
} from "./lib/partitioners/variable_axis_size.ts";
export {
  type MinMaxVariableOptions,
  minMaxVariablePartitioner,
} from "./lib/partitioners/min_max_variable.ts";
