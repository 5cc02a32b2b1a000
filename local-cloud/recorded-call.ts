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
