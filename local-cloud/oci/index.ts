export { OciApiError } from './errors.ts';
export { type OciEmulator, type OciFaults, type RecordedCall, serialRounds, startOciEmulator } from './oci-emulator.ts';
export { OciState, type PublicIpState, type RouteRule, type Transition } from './oci-state.ts';
export { COMPARTMENT } from './resources.ts';
export { MIRROR, type OciSeedOptions, seedMirrorTenancy } from './seed.ts';
export { type SeededOciMirror, type SeededOciRouteMirror, seedOciMirrors, seedOciRouteMirrors } from './seed-many.ts';
export { SignatureError, signingString, verifyOciSignature } from './signature.ts';
export { testKeyPair } from './test-keys.ts';
export { MAX_BUNDLE_BYTES, VaultSecrets } from './vault.ts';
