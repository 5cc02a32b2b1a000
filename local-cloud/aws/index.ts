export { canonicalCidr, cidrContains } from './cidr.ts';
export {
  type AwsEmulator,
  type AwsEmulatorOptions,
  type RecordedCall,
  serialRounds,
  startAwsEmulator,
} from './ec2-emulator.ts';
export * from './ec2-state.ts';
export { EmulatorApiError } from './errors.ts';
export { defaultFaults, type FaultPlan } from './faults.ts';
export * from './seed.ts';
