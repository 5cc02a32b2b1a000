import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { GetParameterCommand, GetParametersCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AwsEmulator, startAwsEmulator } from '../../../local-cloud/aws/ec2-emulator.ts';
import { expectSdkError, sdkClients } from '../../../local-cloud/aws/sdk-clients.ts';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:mirror-vip-events';

describe('SNS Publish and SSM GetParameter on the same emulator', () => {
  let emu: AwsEmulator;
  let sns: SNSClient;
  let ssm: SSMClient;

  beforeEach(async () => {
    emu = await startAwsEmulator();
    emu.state.sns.topics.add(TOPIC);
    emu.state.ssm.parameters.set('/mirror-vip/webhook-secret', 's3cr3t <&>');
    ({ sns, ssm } = sdkClients(emu));
  });
  afterEach(() => emu.close());

  describe('SNS Publish', () => {
    it('stores the message with subject and attributes and returns a message id', async () => {
      const out = await sns.send(
        new PublishCommand({
          TopicArn: TOPIC,
          Subject: 'VIP moved',
          Message: '{"to":"iris-b"} & <more>',
          MessageAttributes: { event: { DataType: 'String', StringValue: 'vip.moved' } },
        }),
      );
      expect(out.MessageId).toMatch(/^[0-9a-f-]{36}$/);
      expect(out.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(emu.state.sns.published).toEqual([
        {
          messageId: out.MessageId,
          topicArn: TOPIC,
          subject: 'VIP moved',
          message: '{"to":"iris-b"} & <more>',
          messageAttributes: { event: { dataType: 'String', value: 'vip.moved' } },
        },
      ]);
      expect(emu.calls[0]).toMatchObject({ service: 'sns', action: 'Publish', write: true, status: 200 });
    });

    it('answers an unknown topic with 404 NotFound (the SDK names it NotFoundException)', async () => {
      const call = sns.send(new PublishCommand({ TopicArn: `${TOPIC}-gone`, Message: 'x' }));
      const error = await expectSdkError(call, 'NotFoundException');
      expect(error.$metadata.httpStatusCode).toBe(404);
      expect(error.$fault).toBe('client');
      expect(emu.state.sns.published).toEqual([]);
      expect(emu.calls[0]).toMatchObject({ status: 404, errorCode: 'NotFound' });
    });

    it('rejects an empty message and a malformed topic ARN with InvalidParameter', async () => {
      await expectSdkError(sns.send(new PublishCommand({ TopicArn: TOPIC, Message: '' })), 'InvalidParameterException');
      await expectSdkError(
        sns.send(new PublishCommand({ TopicArn: 'not-an-arn', Message: 'x' })),
        'InvalidParameterException',
      );
      expect(emu.calls.map((c) => c.errorCode)).toEqual(['InvalidParameter', 'InvalidParameter']);
      expect(emu.state.sns.published).toEqual([]);
    });
  });

  describe('SSM GetParameter', () => {
    it('returns the decrypted SecureString', async () => {
      const out = await ssm.send(new GetParameterCommand({ Name: '/mirror-vip/webhook-secret', WithDecryption: true }));
      expect(out.Parameter).toMatchObject({
        Name: '/mirror-vip/webhook-secret',
        Type: 'SecureString',
        Value: 's3cr3t <&>',
        Version: 1,
        ARN: 'arn:aws:ssm:us-east-1:123456789012:parameter/mirror-vip/webhook-secret',
        DataType: 'text',
      });
      expect(out.Parameter?.LastModifiedDate).toBeInstanceOf(Date);
      expect(emu.calls[0]).toMatchObject({ service: 'ssm', action: 'GetParameter', write: false, status: 200 });
      expect(emu.calls[0]?.params).toEqual({ Name: '/mirror-vip/webhook-secret', WithDecryption: 'true' });
    });

    it('returns ciphertext, not the secret, without WithDecryption', async () => {
      const out = await ssm.send(new GetParameterCommand({ Name: '/mirror-vip/webhook-secret' }));
      expect(out.Parameter?.Value).not.toContain('s3cr3t');
    });

    it('answers a missing parameter with 400 ParameterNotFound', async () => {
      const error = await expectSdkError(ssm.send(new GetParameterCommand({ Name: '/nope' })), 'ParameterNotFound');
      expect(error.$metadata.httpStatusCode).toBe(400);
      expect(error.message).toContain('/nope');
    });

    it('answers other SSM operations with UnknownOperationException', async () => {
      const call = ssm.send(new GetParametersCommand({ Names: ['/mirror-vip/webhook-secret'] }));
      const error = await expectSdkError(call, 'UnknownOperationException');
      expect(error.$metadata.httpStatusCode).toBe(400);
    });
  });
});
