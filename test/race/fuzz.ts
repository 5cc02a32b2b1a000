import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { functionUrlEvent, startAwsWorld } from '../../local-cloud/worlds/aws-world.ts';
import { startGcpWorld } from '../../local-cloud/worlds/gcp-world.ts';

export interface FuzzFigure {
  fn: string;
  requests: number;
  writes: number;
  untyped: number;
  throws: number;
  p99Ms: number;
  examples: string[];
}

const HEADER_NAMES = ['x-mirror-vip-key-id', 'x-mirror-vip-timestamp', 'x-mirror-vip-signature', 'content-type'];

/** A JSON answer a caller can act on: a result with a boolean ok and, when not ok, a string error code. */
function typed(body: unknown): boolean {
  if (typeof body !== 'object' || body === null) return false;
  const b = body as { ok?: unknown; error?: { code?: unknown }; results?: unknown };
  if (Array.isArray(b.results)) return b.results.every((r) => typed(r));
  return typeof b.ok === 'boolean' && (b.ok || typeof b.error?.code === 'string');
}

const p99 = (ms: number[]) => {
  const sorted = [...ms].sort((a, b) => a - b);
  return Math.round((sorted[Math.floor(sorted.length * 0.99)] ?? 0) * 10) / 10;
};

/** Function URL requests mutated every way, and Lambda events of arbitrary shape. */
function awsEvents(valid: () => { body: string; headers: Record<string, string> }) {
  const urlEvent = fc
    .record({
      body: fc.oneof(fc.string({ maxLength: 300 }), fc.constant(undefined), fc.jsonValue(), fc.integer()),
      base64: fc.boolean(),
      method: fc.constantFrom('POST', 'GET', 'PUT', 'post', ''),
      header: fc.option(fc.tuple(fc.constantFrom(...HEADER_NAMES), fc.oneof(fc.string(), fc.integer()))),
      keep: fc.boolean(),
    })
    .map((m) => {
      const v = valid();
      const ev = functionUrlEvent(v.body, v.headers) as unknown as Record<string, unknown>;
      const rc = ev.requestContext as { http: { method: string } };
      rc.http.method = m.method;
      if (!m.keep) ev.body = m.base64 && typeof m.body === 'string' ? Buffer.from(m.body).toString('base64') : m.body;
      ev.isBase64Encoded = m.base64;
      if (m.header) (ev.headers as Record<string, unknown>)[m.header[0]] = m.header[1];
      return ev;
    });
  const shaped = fc.oneof(
    fc.anything(),
    fc.record({ requestContext: fc.anything(), body: fc.anything(), headers: fc.anything() }),
    fc.record({ Records: fc.array(fc.record({ EventSource: fc.constant('aws:sns'), Sns: fc.anything() })) }),
    fc.record({ source: fc.constant('aws.events'), 'detail-type': fc.string() }),
  );
  return fc.oneof(urlEvent, shaped);
}

/** 10,000 (or `n`) fuzzed events into the AWS handler: count writes, untyped replies, throws; p99 latency. */
export async function fuzzAws(n: number, seed: number): Promise<FuzzFigure> {
  const world = await startAwsWorld({ topic: false });
  const f: FuzzFigure = { fn: 'aws handler', requests: n, writes: 0, untyped: 0, throws: 0, p99Ms: 0, examples: [] };
  try {
    const events = fc.sample(
      awsEvents(() => world.signedRequest('iris-b') as never),
      { numRuns: n, seed },
    );
    await fuzzLoop(f, events, async (ev) => {
      const out = (await world.handler(ev)) as { body?: string; results?: unknown };
      const body = typeof out?.body === 'string' ? JSON.parse(out.body) : out;
      return { typed: typed(body), example: JSON.stringify(out) };
    });
    f.writes = world.writes();
    return f;
  } finally {
    await world.close();
  }
}

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  'application/json; charset=bogus',
  'text/plain',
  'text/plain; charset=iso-8859-1',
  'application/x-www-form-urlencoded',
  'application/cloudevents+json',
  'application/octet-stream',
  'multipart/form-data; boundary=x',
  'application/xml',
  '',
];
const ENCODINGS = [undefined, 'gzip', 'deflate', 'br', 'identity', 'x-bogus', 'gzip, gzip'];

/** 10,000 (or `n`) requests to the GCP HTTP function: any content type, charset, encoding, body. */
export async function fuzzGcp(n: number, seed: number): Promise<FuzzFigure> {
  const world = await startGcpWorld();
  const f: FuzzFigure = { fn: 'gcp http', requests: n, writes: 0, untyped: 0, throws: 0, p99Ms: 0, examples: [] };
  const arb = fc.record({
    type: fc.constantFrom(...CONTENT_TYPES),
    encoding: fc.constantFrom(...ENCODINGS),
    body: fc.oneof(fc.string({ maxLength: 200 }), fc.constant('{"version":1,'), fc.constant('valid')),
    gzip: fc.boolean(),
    size: fc.constantFrom(0, 0, 0, 5000, 200_000),
  });
  try {
    await fuzzLoop(f, fc.sample(arb, { numRuns: n, seed }), async (m) => {
      const v = world.signedRequest('iris-b');
      let bytes: Buffer = Buffer.from(m.body === 'valid' ? v.body : m.body + 'x'.repeat(m.size));
      if (m.gzip) bytes = gzipSync(bytes);
      const headers: Record<string, string> = { ...v.headers, 'content-type': m.type };
      if (m.encoding) headers['content-encoding'] = m.encoding;
      const out = await world.post({ body: bytes, headers });
      return { typed: typed(out.result), example: `${m.type} ${m.encoding}: ${out.status} ${out.text.slice(0, 100)}` };
    });
    f.writes = world.writes();
    return f;
  } finally {
    await world.close();
  }
}

/** A signed request mutated one way: another body, one character flipped, a header changed or dropped, raw bytes. */
function mutatedRequest() {
  return fc.record({
    kind: fc.constantFrom('body', 'flip', 'header', 'drop', 'bytes', 'valid'),
    body: fc.oneof(fc.string({ maxLength: 300 }), fc.json(), fc.constant('{"version":1,')),
    at: fc.nat(),
    ch: fc.string({ minLength: 1, maxLength: 1 }),
    header: fc.constantFrom(...HEADER_NAMES),
    value: fc.oneof(fc.string({ maxLength: 80 }), fc.constant('')),
    bytes: fc.uint8Array({ maxLength: 6000 }),
    type: fc.constantFrom(...CONTENT_TYPES),
    encoding: fc.constantFrom(...ENCODINGS),
    method: fc.constantFrom('POST', 'POST', 'POST', 'GET', 'PUT', 'DELETE'),
    size: fc.constantFrom(0, 0, 0, 5000, 300_000),
  });
}
type Mutation = ReturnType<typeof mutatedRequest> extends fc.Arbitrary<infer T> ? T : never;

/** Apply a mutation to a fresh signed request; header values keep to what an HTTP stack can carry. */
function mutate(v: { body: string; headers: Record<string, string> }, m: Mutation) {
  const req: { body: string | Uint8Array; headers: Record<string, string> } = {
    body: v.body,
    headers: { ...v.headers },
  };
  const printable = (s: string) => s.replace(/[^\x20-\x7e]/g, '');
  if (m.kind === 'body') req.body = m.body + 'x'.repeat(m.size);
  if (m.kind === 'flip')
    req.body = v.body.slice(0, m.at % v.body.length) + m.ch + v.body.slice((m.at % v.body.length) + 1);
  if (m.kind === 'header') req.headers[m.header] = printable(m.value);
  if (m.kind === 'drop') delete req.headers[m.header];
  if (m.kind === 'bytes') req.body = m.bytes;
  if (m.kind !== 'valid' && m.kind !== 'header') req.headers['content-type'] = m.type;
  if (m.encoding && m.kind !== 'valid') req.headers['content-encoding'] = m.encoding;
  return req;
}

/** Send every input, timing each: an untyped answer or a throw is counted (with up to 3 examples); p99 at the end. */
async function fuzzLoop<T>(
  f: FuzzFigure,
  inputs: readonly T[],
  send: (input: T) => Promise<{ typed: boolean; example: string }>,
) {
  const times: number[] = [];
  for (const input of inputs) {
    const t0 = performance.now();
    try {
      const out = await send(input);
      if (!out.typed) {
        f.untyped++;
        if (f.examples.length < 3) f.examples.push(out.example.slice(0, 160));
      }
    } catch (e: unknown) {
      f.throws++;
      if (f.examples.length < 3) f.examples.push(String(e).slice(0, 160));
    }
    times.push(performance.now() - t0);
  }
  f.p99Ms = p99(times);
}

/**
 * 10,000 (or `n`) requests into the Azure Function, as the host hands them over: mutated signed requests to the HTTP
 * trigger (any method, content type, encoding, bytes) and arbitrary bodies to the action group's alert trigger. iris-b
 * answers backup and the VIP is right where it is, so nothing may be written whatever is accepted.
 */
export async function fuzzAzure(n: number, seed: number): Promise<FuzzFigure> {
  const { startAzureWorld } = await import('../../local-cloud/worlds/azure-world.ts');
  const world = await startAzureWorld({ engine: { log: () => undefined } });
  const f: FuzzFigure = { fn: 'azure http', requests: n, writes: 0, untyped: 0, throws: 0, p99Ms: 0, examples: [] };
  const alertBody = fc.oneof(
    fc.jsonValue(),
    fc.string({ maxLength: 300 }),
    fc.record({ schemaId: fc.constant('azureMonitorCommonAlertSchema'), data: fc.anything() }),
  );
  const arb = fc.oneof(
    { weight: 4, arbitrary: mutatedRequest().map((m) => ({ to: 'http' as const, m })) },
    { weight: 1, arbitrary: alertBody.map((body) => ({ to: 'alert' as const, body })) },
  );
  try {
    await fuzzLoop(f, fc.sample(arb, { numRuns: n, seed }), async (i) => {
      if (i.to === 'alert') {
        const { status, ...body } = await world.alert(i.body);
        return { typed: typed(body), example: `alert: ${status} ${JSON.stringify(body)}` };
      }
      const out = await world.post(mutate(world.signedRequest('iris-b'), i.m), i.m.method);
      return {
        typed: typed(out.result),
        example: `${i.m.kind} ${i.m.method}: ${out.status} ${JSON.stringify(out.result)}`,
      };
    });
    f.writes = world.writes();
    return f;
  } finally {
    await world.close();
  }
}

/**
 * 10,000 (or `n`) invocations of the OCI Function through the real FDK on its socket: mutated signed requests as the
 * API Gateway passes them, and arbitrary direct invocations (Notifications messages, schedules).
 */
export async function fuzzOci(n: number, seed: number): Promise<FuzzFigure> {
  const { startOciWorld } = await import('../../local-cloud/worlds/oci-world.ts');
  const world = await startOciWorld({ engine: { log: () => undefined } });
  const f: FuzzFigure = { fn: 'oci fn', requests: n, writes: 0, untyped: 0, throws: 0, p99Ms: 0, examples: [] };
  const message = fc.oneof(
    fc.jsonValue(),
    fc.string({ maxLength: 300 }),
    fc.record({
      type: fc.constantFrom('OK_TO_FIRING', 'FIRING_TO_OK', 'REPEAT'),
      title: fc.string(),
      dimensions: fc.anything(),
    }),
  );
  const arb = fc.oneof(
    { weight: 4, arbitrary: mutatedRequest().map((m) => ({ to: 'gateway' as const, m })) },
    { weight: 1, arbitrary: message.map((body) => ({ to: 'direct' as const, body })) },
  );
  try {
    await fuzzLoop(f, fc.sample(arb, { numRuns: n, seed }), async (i) => {
      if (i.to === 'direct') {
        const out = await world.invoke(i.body === undefined ? '' : i.body);
        return { typed: out.status === 200 && typed({ results: out.results }), example: `direct: ${out.status}` };
      }
      const out = await world.post(mutate(world.signedRequest('iris-b'), i.m), i.m.method);
      return { typed: typed(out.result), example: `${i.m.kind} ${i.m.method}: ${out.status} ${out.text}` };
    });
    f.writes = world.writes();
    return f;
  } finally {
    await world.close();
  }
}
