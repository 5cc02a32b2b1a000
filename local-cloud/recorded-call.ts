/** What every REST emulator (Compute, ARM, OCI) records of each call it answered; each cloud adds its own fields. */
export interface RestCall {
  method: string;
  path: string;
  /** The API operation, as the cloud's reference names it. */
  op: string;
  write: boolean;
  /** performance.now() ms at arrival and at the answer. */
  startedAt: number;
  endedAt: number;
  status: number;
}

/** A call as it arrives: recorded at once (status 0, op unknown until routed), its times counted from `t0`. */
export function arrivedCall(method: string | undefined, path: string, t0 = 0): RestCall {
  return {
    method: method ?? 'GET',
    path,
    op: 'unknown',
    write: false,
    startedAt: performance.now() - t0,
    endedAt: 0,
    status: 0,
  };
}
