import type { Ec2State } from './ec2-state.ts';
import { EmulatorApiError } from './errors.ts';
import { asApiError, type Dispatch, type Reply } from './protocol.ts';

const JSON_TYPE = 'application/json';
/** GetFunctionConcurrency: GET /2019-09-30/functions/{FunctionName}/concurrency (Lambda API reference). */
export const CONCURRENCY_PATH = /^\/2019-09-30\/functions\/([^/?]+)\/concurrency$/;

function lambdaError(err: EmulatorApiError, _requestId: string): Reply {
  // REST-JSON errors: the type in the body's Type/__type and in x-amzn-errortype (the SDK reads either)
  const body = JSON.stringify({ Type: 'User', __type: err.code, message: err.message });
  return { status: err.status, contentType: JSON_TYPE, body, errorCode: err.code };
}

/**
 * Lambda's GetFunctionConcurrency, the one Lambda call the preflight makes: the function's reserved concurrency,
 * `{}` when none is reserved, 404 ResourceNotFoundException for an unknown function.
 */
export function lambdaDispatch(method: string, path: string): Dispatch {
  const name = decodeURIComponent(CONCURRENCY_PATH.exec(path)?.[1] ?? '');
  const run = (state: Ec2State, requestId: string): Reply => {
    try {
      if (method !== 'GET') throw new EmulatorApiError('UnknownOperationException', 'Unknown operation', 404);
      const fn = state.lambda.functions.get(name);
      const arn = `arn:aws:lambda:${state.region}:${state.ownerId}:function:${name}`;
      if (fn === undefined) throw new EmulatorApiError('ResourceNotFoundException', `Function not found: ${arn}`, 404);
      const body = fn.reservedConcurrency === undefined ? {} : { ReservedConcurrentExecutions: fn.reservedConcurrency };
      return { status: 200, contentType: JSON_TYPE, body: JSON.stringify(body) };
    } catch (e: unknown) {
      return lambdaError(asApiError(e), requestId);
    }
  };
  return {
    service: 'lambda',
    action: 'GetFunctionConcurrency',
    params: { FunctionName: name },
    write: false,
    run,
    error: lambdaError,
    throttleError: () => new EmulatorApiError('TooManyRequestsException', 'Rate exceeded', 429),
  };
}
