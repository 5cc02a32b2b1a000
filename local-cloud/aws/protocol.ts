import { EC2_ACTIONS } from './ec2-actions.ts';
import type { Ec2State } from './ec2-state.ts';
import { EmulatorApiError } from './errors.ts';
import { boolParam, type Params } from './query.ts';
import { xmlDocument } from './xml.ts';

export type Service = 'ec2' | 'sns' | 'ssm' | 'lambda';

/** A response ready to write. */
export interface Reply {
  status: number;
  contentType: string;
  body: string;
  errorCode?: string;
}

/** A classified request: which service and action, and how to answer it in that service's protocol. */
export interface Dispatch {
  service: Service;
  action: string;
  params: Params;
  write: boolean;
  /** Runs the action against the state; API errors come back rendered, never thrown. */
  run(state: Ec2State, requestId: string): Reply;
  /** Renders an error in this service's protocol (used for injected faults too). */
  error(err: EmulatorApiError, requestId: string): Reply;
  /** The error this service answers with when throttling. */
  throttleError(): EmulatorApiError;
}

const EC2_NS = 'http://ec2.amazonaws.com/doc/2016-11-15/';
const XML = 'text/xml;charset=UTF-8';

/** Renders an API error, turning anything unexpected into a 500 InternalError so the server never hangs. */
export function asApiError(e: unknown): EmulatorApiError {
  if (e instanceof EmulatorApiError) return e;
  return new EmulatorApiError('InternalError', 'An internal error has occurred', 500, { cause: e });
}

function ec2Error(err: EmulatorApiError, requestId: string): Reply {
  const body = xmlDocument('Response', {
    Errors: { Error: { Code: err.code, Message: err.message } },
    RequestID: requestId,
  });
  return { status: err.status, contentType: XML, body, errorCode: err.code };
}

function runEc2(state: Ec2State, action: string, params: Params, requestId: string): Reply {
  try {
    if (action === '') throw new EmulatorApiError('MissingAction', 'The request is missing an action.');
    const handler = EC2_ACTIONS[action];
    if (handler === undefined) {
      throw new EmulatorApiError('InvalidAction', `The action ${action} is not valid for this web service.`);
    }
    if (boolParam(params, 'DryRun') === true) {
      // a permission test: the named resources must exist, the request's effect is not evaluated
      (handler.dryRun ?? handler.run)(structuredClone(state), params);
      throw new EmulatorApiError('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.', 412);
    }
    const fields = handler.run(state, params);
    const body = xmlDocument(`${action}Response`, { requestId, ...fields }, EC2_NS);
    return { status: 200, contentType: XML, body };
  } catch (e: unknown) {
    return ec2Error(asApiError(e), requestId);
  }
}

/** EC2 query protocol: form parameters in, XML out. */
export function ec2Dispatch(form: Params): Dispatch {
  const { Action: action = '', Version: _version, ...params } = form;
  return {
    service: 'ec2',
    action,
    params,
    // a DryRun changes nothing: it is a permission test, not a write
    write: (EC2_ACTIONS[action]?.write ?? false) && boolParam(form, 'DryRun') !== true,
    run: (state, requestId) => runEc2(state, action, form, requestId),
    error: ec2Error,
    throttleError: () => new EmulatorApiError('RequestLimitExceeded', 'Request limit exceeded.', 503),
  };
}
