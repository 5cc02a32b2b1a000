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
export { OPEN_ASSIGNMENT, type RoleAssignment } from './rbac.ts';
export {
  ASG_ID,
  MIRROR,
  NSG_ID,
  POOL_ID,
  PUBLIC_IP_ID,
  type SeededMirror,
  type SeedOptions,
  SUBNET_ID,
  seedMirrorSubscription,
  seedMirrors,
  tableNames,
} from './seed.ts';
