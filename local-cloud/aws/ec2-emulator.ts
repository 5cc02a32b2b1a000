import { randomUUID } from 'node:crypto';
import { EventEmitter, setMaxListeners } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { waitAtLeast } from '../latency.ts';
import { createEc2State, type Ec2State } from './ec2-state.ts';
import { EmulatorApiError } from './errors.ts';
import { defaultFaults, type FaultPlan, latencyFor, takeFault } from './faults.ts';
import { accessKeyOf, authorize } from './iam.ts';
import { CONCURRENCY_PATH, lambdaDispatch } from './lambda-api.ts';
import { type Dispatch, ec2Dispatch, type Reply, type Service } from './protocol.ts';
import { parseForm } from './query.ts';
import { snsDispatch, ssmDispatch } from './sns-ssm.ts';
import { xmlDocument } from './xml.ts';

/** How many calls ran one after another: the project's one definition, from the core's call log. */
export { serialRounds } from '../../shared/core/calls.ts';

/** One request as the emulator saw it; times are `performance.now()` milliseconds. */
export interface RecordedCall {
  service: Service;
  action: string;
  /** Decoded request parameters without Action and Version (SSM: the JSON body's fields as strings). */
  params: Record<string, string>;
  write: boolean;
  startedAt: number;
  /** NaN while the call is still in flight. */
  endedAt: number;
  /** 0 while the call is still in flight. */
  status: number;
  errorCode?: string;
}

export interface AwsEmulator {
  url: string;
  state: Ec2State;
  calls: RecordedCall[];
  faults: FaultPlan;
  /** Emits 'change' (with the action name) the moment a write has changed the state, for observers such as the drill. */
  changes: EventEmitter;
  close(): Promise<void>;
  /** Clears the call log and the fault plan (back to the start latency); the state is kept. */
  reset(): void;
}

export interface AwsEmulatorOptions {
  port?: number;
  latencyMs?: number;
  state?: Ec2State;
}

const MAX_BODY_BYTES = 1024 * 1024;
const SNS_VERSION = '2010-03-31';

/** Reads the body, or undefined once it exceeds the cap (the rest is discarded). */
function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES) {
      req.resume();
      resolve(undefined);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
      else if (size - chunk.length <= MAX_BODY_BYTES) {
        chunks.length = 0; // this chunk crossed the cap: answer at once, later bytes are read and dropped
        resolve(undefined);
      }
    });
    req.on('end', () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Picks the service: SSM by its JSON target header, Lambda by its REST path, SNS by its API version, EC2 otherwise. */
function classify(req: IncomingMessage, body: string): Dispatch {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') return ssmDispatch(target, body);
  const url = new URL(req.url ?? '/', 'http://emulator');
  if (CONCURRENCY_PATH.test(url.pathname)) return lambdaDispatch(req.method ?? 'GET', url.pathname);
  const query = url.searchParams.toString();
  const form = parseForm([query, body].filter((s) => s !== '').join('&'));
  return form.Version === SNS_VERSION ? snsDispatch(form) : ec2Dispatch(form);
}

function send(res: ServerResponse, reply: Reply, requestId: string): void {
  res.writeHead(reply.status, {
    'content-type': reply.contentType,
    'content-length': Buffer.byteLength(reply.body),
    'x-amzn-requestid': requestId,
    date: new Date().toUTCString(),
  });
  res.end(reply.body);
}

function tooLarge(requestId: string): Reply {
  const message = `Request body exceeds ${MAX_BODY_BYTES} bytes`;
  const body = xmlDocument('Response', {
    Errors: { Error: { Code: 'RequestEntityTooLarge', Message: message } },
    RequestID: requestId,
  });
  return { status: 413, contentType: 'text/xml;charset=UTF-8', body, errorCode: 'RequestEntityTooLarge' };
}

function finish(call: RecordedCall, res: ServerResponse, reply: Reply, requestId: string): void {
  call.endedAt = performance.now();
  call.status = reply.status;
  if (reply.errorCode !== undefined) call.errorCode = reply.errorCode;
  send(res, reply, requestId);
}

async function handle(emu: AwsEmulator, signal: AbortSignal, req: IncomingMessage, res: ServerResponse) {
  const startedAt = performance.now();
  const requestId = randomUUID();
  const body = await readBody(req);
  if (body === undefined) {
    const service: Service = req.headers['x-amz-target'] === undefined ? 'ec2' : 'ssm';
    const call: RecordedCall = {
      service,
      action: '',
      params: {},
      write: false,
      startedAt,
      endedAt: Number.NaN,
      status: 0,
    };
    emu.calls.push(call);
    res.setHeader('connection', 'close');
    finish(call, res, tooLarge(requestId), requestId);
    return;
  }
  const dispatch = classify(req, body);
  const { service, action, params, write } = dispatch;
  const call: RecordedCall = { service, action, params, write, startedAt, endedAt: Number.NaN, status: 0 };
  emu.calls.push(call);
  const fault = takeFault(emu.faults, dispatch);
  const wait = latencyFor(emu.faults, action);
  await waitAtLeast(wait, signal);
  // The state changes when the answer is produced, after the latency, as if the request travelled that long.
  // Authorization comes before everything else, DryRun included (EC2 API reference, common parameters).
  const refused = fault ?? authorize(emu.state.iam, accessKeyOf(req), emu.state, dispatch);
  const reply = refused === undefined ? dispatch.run(emu.state, requestId) : dispatch.error(refused, requestId);
  if (write && reply.status < 400) emu.changes.emit('change', action);
  finish(call, res, reply, requestId);
}

/** Starts the emulator on 127.0.0.1 (port 0 = any free port). */
export async function startAwsEmulator(opts: AwsEmulatorOptions = {}): Promise<AwsEmulator> {
  const startLatency = opts.latencyMs ?? 0;
  const closing = new AbortController();
  // Every request in flight waits on this signal; 50 parallel calls are 50 listeners, not a leak.
  setMaxListeners(0, closing.signal);
  const server = createServer();
  const emu: AwsEmulator = {
    url: '',
    state: opts.state ?? createEc2State(),
    calls: [],
    faults: defaultFaults(startLatency),
    changes: new EventEmitter(),
    close: async () => {
      closing.abort();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
    },
    reset: () => {
      emu.calls.length = 0;
      Object.assign(emu.faults, defaultFaults(startLatency));
    },
  };
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    handle(emu, closing.signal, req, res).catch((e: unknown) => {
      if (closing.signal.aborted || res.headersSent) return;
      // Only a bug in the emulator gets here; answer rather than leave the client hanging.
      const err = new EmulatorApiError('InternalError', e instanceof Error ? e.message : String(e), 500);
      const requestId = randomUUID();
      send(res, ec2Dispatch({}).error(err, requestId), requestId);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  emu.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return emu;
}
