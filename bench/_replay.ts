/**
 * The cost of a replayed primitive, next to the floor every primitive
 * pays: one `yield*` of a trivial program in a `scoped` generator. The
 * replayed side runs 10 variable scopes of 10 `getVariable`s each from a
 * recording; the floor side yields `of(i)` as often as the replayed side
 * runs recorded primitives (110).
 *
 * @module
 */
import {
  createVariables,
  emptyStore,
  getVariable,
  of,
  type Program,
  Recording,
  reuseOnly,
  type RunContext,
  runWith,
  scoped,
  startState,
  variableScope,
} from "../mod.ts";

const SCOPES = 10;
const PER_SCOPE = 10;
/** Recorded primitives one replayed run goes through. */
export const REPLAYED_STEPS = SCOPES * (PER_SCOPE + 1);

function* scopeBody(): Generator<Program<unknown>, number, unknown> {
  let n = 0;
  for (let i = 0; i < PER_SCOPE; i++) {
    yield* getVariable(`v${i}`, { shape: [2] });
    n++;
  }
  return n;
}

function* modelBody(): Generator<Program<unknown>, number, unknown> {
  let n = 0;
  for (let s = 0; s < SCOPES; s++) n += yield* variableScope(`s${s}`, scoped(scopeBody));
  return n;
}

function* floorBody(): Generator<Program<unknown>, number, unknown> {
  let n = 0;
  for (let i = 0; i < REPLAYED_STEPS; i++) n += (yield* of(i)) as number;
  return n;
}

/** The two sides, ready to time: each call runs one program once. */
export interface ReplayFixture {
  /** One replayed run (REPLAYED_STEPS recorded primitives). */
  readonly replay: () => void;
  /** One run of REPLAYED_STEPS trivial `yield*`s. */
  readonly floor: () => void;
}

/**
 * Records the model once and returns the replay and floor sides.
 *
 * @returns the fixture
 */
export function replayFixture(): ReplayFixture {
  const recording = new Recording();
  const made = runWith(scoped(modelBody), startState(emptyStore()), {
    creation: createVariables(),
    recording,
    interpreter: null,
  });
  if (made._tag === "Left") throw made.left;
  recording.replay();
  const run: RunContext = { creation: reuseOnly(made.right.store), recording, interpreter: null };
  const start = startState(emptyStore());
  const plain: RunContext = { creation: createVariables(), recording: null, interpreter: null };
  let sink = 0;
  return {
    replay: () => {
      recording.replay();
      const r = runWith(scoped(modelBody), start, run);
      if (r._tag === "Left" || !recording.complete) throw new Error("the replay diverged");
      sink += r.right.value;
    },
    floor: () => {
      const r = runWith(scoped(floorBody), start, plain);
      if (r._tag === "Left") throw r.left;
      sink += r.right.value + (sink > 1e15 ? 1 : 0);
    },
  };
}
