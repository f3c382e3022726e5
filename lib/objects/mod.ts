/**
 * `varscope/objects`: objects that own their variables. A {@linkcode Module}
 * base class; TF1's keras style ({@linkcode kerasStyleScope},
 * {@linkcode setKerasStyle}, spec P); TF2's `track_tf1_style_variables`
 * ({@linkcode trackTf1StyleVariables}, {@linkcode runTf1}, spec Q) for
 * Modules and tfjs-layers Layers; {@linkcode getOrCreateLayer}.
 *
 * @module
 */
export { Module, type ModuleOptions } from "./module.ts";
export { type TrackedVariable } from "./tracked_variable.ts";
export { isKerasStyle, kerasStyleScope, setKerasStyle } from "./keras_style.ts";
export {
  buildTf1StyleVariables,
  callInScope,
  runTf1,
  type Trackable,
  trackedVariablesOf,
  trackTf1StyleVariables,
} from "./track_tf1_style_variables.ts";
export { getOrCreateLayer } from "./get_or_create_layer.ts";
