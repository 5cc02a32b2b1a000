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
  const times: number[] = [];
  try {
    const events = fc.sample(
      awsEvents(() => world.signedRequest('iris-b') as never),
      { numRuns: n, seed },
    );
    for (const ev of events) {
      const t0 = performance.now();
      try {
        const out = (await world.handler(ev)) as { body?: string; results?: unknown };
        const body = typeof out?.body === 'string' ? JSON.parse(out.body) : out;
        if (!typed(body)) {
          f.untyped++;
          if (f.examples.length < 3) f.examples.push(JSON.stringify(out).slice(0, 160));
        }
      } catch (e: unknown) {
        f.throws++;
        if (f.examples.length < 3) f.examples.push(String(e).slice(0, 160));
      }
      times.push(performance.now() - t0);
    }
    f.writes = world.writes();
    f.p99Ms = p99(times);
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
  const times: number[] = [];
  const arb = fc.record({
    type: fc.constantFrom(...CONTENT_TYPES),
    encoding: fc.constantFrom(...ENCODINGS),
    body: fc.oneof(fc.string({ maxLength: 200 }), fc.constant('{"version":1,'), fc.constant('valid')),
    gzip: fc.boolean(),
    size: fc.constantFrom(0, 0, 0, 5000, 200_000),
  });
  try {
    for (const m of fc.sample(arb, { numRuns: n, seed })) {
      const v = world.signedRequest('iris-b');
      let bytes: Buffer = Buffer.from(m.body === 'valid' ? v.body : m.body + 'x'.repeat(m.size));
      if (m.gzip) bytes = gzipSync(bytes);
      const headers: Record<string, string> = { ...v.headers, 'content-type': m.type };
      if (m.encoding) headers['content-encoding'] = m.encoding;
      const t0 = performance.now();
      try {
        const out = await world.post({ body: bytes, headers });
        if (!typed(out.result)) {
          f.untyped++;
          if (f.examples.length < 3)
            f.examples.push(`${m.type} ${m.encoding}: ${out.status} ${out.text.slice(0, 100)}`);
        }
      } catch (e: unknown) {
        f.throws++;
        if (f.examples.length < 3) f.examples.push(String(e).slice(0, 160));
      }
      times.push(performance.now() - t0);
    }
    f.writes = world.writes();
    f.p99Ms = p99(times);
    return f;
  } finally {
    await world.close();
  }
}
