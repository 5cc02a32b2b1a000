import { randomUUID } from 'node:crypto';
import type { Ec2State } from './ec2-state.ts';
import { EmulatorApiError } from './errors.ts';
import { asApiError, type Dispatch, type Reply } from './protocol.ts';
import { optionalParam, type Params } from './query.ts';
import { xmlDocument } from './xml.ts';

const SNS_NS = 'http://sns.amazonaws.com/doc/2010-03-31/';
const XML = 'text/xml;charset=UTF-8';
const JSON_11 = 'application/x-amz-json-1.1';
const MAX_SNS_MESSAGE_BYTES = 256 * 1024;
const TOPIC_ARN = /^arn:aws:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;

const snsInvalid = (what: string) => new EmulatorApiError('InvalidParameter', `Invalid parameter: ${what}`);

function messageAttributes(params: Params): Record<string, { dataType: string; value: string }> {
  const out: Record<string, { dataType: string; value: string }> = {};
  for (let i = 1; params[`MessageAttributes.entry.${i}.Name`] !== undefined; i++) {
    const prefix = `MessageAttributes.entry.${i}`;
    const dataType = params[`${prefix}.Value.DataType`] ?? '';
    const value = params[`${prefix}.Value.StringValue`] ?? params[`${prefix}.Value.BinaryValue`] ?? '';
    out[params[`${prefix}.Name`] as string] = { dataType, value };
  }
  return out;
}

/** SNS Publish to a topic: validates like SNS and appends to `state.sns.published`. */
export function publish(state: Ec2State, params: Params): string {
  const topicArn = optionalParam(params, 'TopicArn') ?? optionalParam(params, 'TargetArn');
  if (topicArn === undefined) throw snsInvalid('TopicArn or TargetArn Reason: no value for required parameter');
  const message = params.Message ?? '';
  if (message === '') throw snsInvalid('Empty message');
  if (Buffer.byteLength(message) > MAX_SNS_MESSAGE_BYTES) throw snsInvalid('Message too long');
  const subject = optionalParam(params, 'Subject');
  if (subject !== undefined && (subject.length > 100 || !/^[\x20-\x7e]+$/.test(subject))) throw snsInvalid('Subject');
  if (!TOPIC_ARN.test(topicArn)) throw snsInvalid('TopicArn');
  if (!state.sns.topics.has(topicArn)) throw new EmulatorApiError('NotFound', 'Topic does not exist', 404);
  const messageId = randomUUID();
  state.sns.published.push({ messageId, topicArn, subject, message, messageAttributes: messageAttributes(params) });
  return messageId;
}

function snsError(err: EmulatorApiError, requestId: string): Reply {
  const type = err.status >= 500 ? 'Receiver' : 'Sender';
  const body = xmlDocument(
    'ErrorResponse',
    { Error: { Type: type, Code: err.code, Message: err.message }, RequestId: requestId },
    SNS_NS,
  );
  return { status: err.status, contentType: XML, body, errorCode: err.code };
}

/** SNS query protocol (Version=2010-03-31): only Publish is implemented. */
export function snsDispatch(form: Params): Dispatch {
  const { Action: action = '', Version: _version, ...params } = form;
  const run = (state: Ec2State, requestId: string): Reply => {
    try {
      if (action !== 'Publish') {
        throw new EmulatorApiError('InvalidAction', `The action ${action} is not valid for this web service.`);
      }
      const messageId = publish(state, params);
      const fields = { PublishResult: { MessageId: messageId }, ResponseMetadata: { RequestId: requestId } };
      return { status: 200, contentType: XML, body: xmlDocument('PublishResponse', fields, SNS_NS) };
    } catch (e: unknown) {
      return snsError(asApiError(e), requestId);
    }
  };
  return {
    service: 'sns',
    action,
    params,
    write: action === 'Publish',
    run,
    error: snsError,
    throttleError: () => new EmulatorApiError('Throttling', 'Rate exceeded', 400),
  };
}

/** SSM GetParameter: every stored parameter is a SecureString; without decryption the value stays ciphertext. */
export function getParameter(state: Ec2State, input: Record<string, unknown>): Record<string, unknown> {
  const name = input.Name;
  if (typeof name !== 'string' || name === '') {
    throw new EmulatorApiError(
      'ValidationException',
      "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null",
    );
  }
  const value = state.ssm.parameters.get(name);
  if (value === undefined) throw new EmulatorApiError('ParameterNotFound', `Parameter ${name} not found.`);
  const shown = input.WithDecryption === true ? value : `AQICAH${Buffer.from(value).toString('base64')}`;
  const path = name.startsWith('/') ? name : `/${name}`;
  return {
    Parameter: {
      Name: name,
      Type: 'SecureString',
      Value: shown,
      Version: 1,
      LastModifiedDate: 1_700_000_000,
      ARN: `arn:aws:ssm:${state.region}:${state.ownerId}:parameter${path}`,
      DataType: 'text',
    },
  };
}

function ssmError(err: EmulatorApiError, _requestId: string): Reply {
  const body = JSON.stringify({ __type: err.code, message: err.message });
  return { status: err.status, contentType: JSON_11, body, errorCode: err.code };
}

/** SSM JSON 1.1 protocol (`X-Amz-Target: AmazonSSM.<Operation>`): only GetParameter is implemented. */
export function ssmDispatch(target: string, body: string): Dispatch {
  const action = target.startsWith('AmazonSSM.') ? target.slice('AmazonSSM.'.length) : target;
  let input: Record<string, unknown> | undefined;
  try {
    const parsed: unknown = JSON.parse(body === '' ? '{}' : body);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
      input = parsed as Record<string, unknown>;
  } catch {
    input = undefined;
  }
  const params = Object.fromEntries(Object.entries(input ?? {}).map(([k, v]) => [k, String(v)]));
  const run = (state: Ec2State, requestId: string): Reply => {
    try {
      if (input === undefined)
        throw new EmulatorApiError('SerializationException', 'Request body is not a JSON object');
      if (target !== 'AmazonSSM.GetParameter') {
        throw new EmulatorApiError('UnknownOperationException', `Unknown operation ${target}`);
      }
      return { status: 200, contentType: JSON_11, body: JSON.stringify(getParameter(state, input)) };
    } catch (e: unknown) {
      const err = asApiError(e);
      return ssmError(
        err.code === 'InternalError' ? new EmulatorApiError('InternalServerError', err.message, 500) : err,
        requestId,
      );
    }
  };
  return {
    service: 'ssm',
    action,
    params,
    write: false,
    run,
    error: ssmError,
    throttleError: () => new EmulatorApiError('ThrottlingException', 'Rate exceeded', 400),
  };
}
