export {
  type GcpEmulator,
  type RecordedCall,
  type StartOptions,
  serialRounds,
  startGcpEmulator,
} from './compute-emulator.ts';
export {
  type AccessConfig,
  type Address,
  type AliasIpRange,
  ApiError,
  ComputeState,
  type Instance,
  type NetworkInterface,
  type Route,
  type StateTransition,
  TRANSITION_KINDS,
  type TransitionKind,
} from './compute-state.ts';
export { REALISTIC_OPERATION_MS, SLOW_OPERATION_MS } from './durations.ts';
export { defaultFaults, type FaultPlan } from './faults.ts';
export type { OperationJson } from './operations.ts';
export { MIRROR, type SeededMirror, type SeedOptions, seedMirrorProject, seedMirrors } from './seed.ts';
