import { EC2Client } from '@aws-sdk/client-ec2';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { expect } from 'vitest';
import type { AwsEmulator } from './ec2-emulator.ts';

/** The fixed credentials the emulator expects (it does not check signatures). */
export const EMULATOR_CREDENTIALS = { accessKeyId: 'AKIDEMU', secretAccessKey: 'emu' };

/** Real SDK clients pointed at the emulator; `maxAttempts` defaults to 1 so errors surface unretried. */
export function sdkClients(emu: AwsEmulator, maxAttempts = 1) {
  const config = { endpoint: emu.url, region: 'us-east-1', credentials: EMULATOR_CREDENTIALS, maxAttempts };
  return { ec2: new EC2Client(config), sns: new SNSClient(config), ssm: new SSMClient(config) };
}

interface SdkError {
  name: string;
  message: string;
  $fault: string;
  $metadata: { httpStatusCode?: number; requestId?: string; attempts?: number };
}

/** Awaits a call that must fail with `code`, and returns the SDK's error for further checks. */
export async function expectSdkError(call: Promise<unknown>, code: string): Promise<SdkError> {
  const error = (await call.then(
    () => undefined,
    (e: unknown) => e,
  )) as SdkError | undefined;
  expect(error, `expected ${code}`).toBeDefined();
  expect(error?.name).toBe(code);
  return error as SdkError;
}
