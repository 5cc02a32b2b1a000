export {
  type AzureEmulator,
  type FaultPlan,
  type RecordedCall,
  type StartOptions,
  serialRounds,
  startAzureEmulator,
} from './arm-emulator.ts';
export {
  ArmError,
  ArmState,
  type IpConfig,
  key,
  type Nic,
  type StateTransition,
  TRANSITION_KINDS,
  type TransitionKind,
} from './arm-state.ts';
export { MIRROR, PUBLIC_IP_ID, type SeedOptions, SUBNET_ID, seedMirrorSubscription, tableNames } from './seed.ts';
