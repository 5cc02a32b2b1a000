import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { ProviderError, TransientError } from '../../shared/errors.ts';
import { GCP_PERMISSIONS, GCP_PERMISSIONS_BY_CALL, lazyComputeApi } from '../../shared/providers/gcp/compute-api.ts';
import { classifyGcpError, operationFailure } from '../../shared/providers/gcp/gcp-errors.ts';
import { trimComputeProtos, USED_METHODS } from '../../shared/providers/gcp/trimmed-protos.ts';

type Ns = { nested?: Record<string, Ns & { methods?: Record<string, unknown> }> };
const protos = createRequire(import.meta.url)('@google-cloud/compute/build/protos/protos.json') as Ns;
const v1 = (j: Ns) => j.nested?.google?.nested?.cloud?.nested?.compute?.nested?.v1?.nested ?? {};

describe('trimmed Compute protos', () => {
  it('keep exactly the used methods and the messages they reach, out of thousands', () => {
    const full = v1(protos);
    const kept = v1(trimComputeProtos(protos as Record<string, unknown>) as Ns);
    expect(Object.keys(full).length).toBeGreaterThan(2000);
    expect(Object.keys(kept).length).toBeLessThan(100);
    for (const [service, methods] of Object.entries(USED_METHODS)) {
      expect(Object.keys(kept[service]?.methods ?? {})).toEqual(methods);
    }
    for (const type of ['NetworkInterface', 'AliasIpRange', 'AccessConfig', 'Operation', 'Route', 'Instance']) {
      expect(kept[type]).toBe(full[type]);
    }
    expect(trimComputeProtos(protos as Record<string, unknown>)).toBe(
      trimComputeProtos(protos as Record<string, unknown>),
    );
  });
});

describe('GCP error classification', () => {
  const err = (code: number, httpStatusCode: number, message: string) =>
    Object.assign(new Error(message), { code, httpStatusCode });

  it.each([
    [8, 429, 'Rate Limit Exceeded', 'rateLimitExceeded'],
    [14, 503, 'The service is currently unavailable.', 'backendError'],
    [13, 500, 'Internal error', 'backendError'],
    [4, 504, 'Deadline exceeded', 'deadlineExceeded'],
    [3, 400, "The resource 'projects/p/zones/z/instances/i' is not ready", 'resourceNotReady'],
    [10, 409, 'Operation conflict', 'aborted'],
  ])('gRPC %i (HTTP %i) is transient', (code, status, message, apiCode) => {
    const e = classifyGcpError('compute.instances.get', err(code, status, message));
    expect(e).toBeInstanceOf(TransientError);
    expect((e as TransientError).detail).toMatchObject({ apiCode, grpcCode: code });
  });

  it.each([
    [9, 412, 'Invalid fingerprint.', 'conditionNotMet'],
    [5, 404, 'not found', 'notFound'],
    [10, 409, "The resource 'projects/p/global/routes/r' already exists", 'alreadyExists'],
    [7, 403, 'Required compute.routes.create permission', 'forbidden'],
    [3, 400, 'Invalid value for field', 'invalid'],
  ])('gRPC %i (HTTP %i) is not retried blindly', (code, status, message, apiCode) => {
    const e = classifyGcpError('op', err(code, status, message));
    expect(e).toBeInstanceOf(ProviderError);
    expect(e).not.toBeInstanceOf(TransientError);
    expect((e as ProviderError).detail?.apiCode).toBe(apiCode);
  });

  it('network failures are transient', () => {
    expect(
      classifyGcpError('op', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })),
    ).toBeInstanceOf(TransientError);
  });

  it('a failed operation names the method, the resource and the API code', () => {
    const e = operationFailure('compute.routes.insert', 'r1', {
      name: 'operation-1',
      status: 'DONE',
      error: { code: 'RESOURCE_ALREADY_EXISTS', message: 'exists' },
      httpErrorStatusCode: 409,
    });
    expect(e.message).toBe('compute.routes.insert on r1 ended with RESOURCE_ALREADY_EXISTS: exists');
    expect(e).toMatchObject({ code: 'operation_failed', status: 502, detail: { apiCode: 'RESOURCE_ALREADY_EXISTS' } });
  });
});

describe('ComputeApi', () => {
  it('the permission list is the union of what each call needs', () => {
    expect(GCP_PERMISSIONS).toContain('compute.instances.updateNetworkInterface');
    expect(GCP_PERMISSIONS).toContain('compute.networks.updatePolicy');
    expect(new Set(GCP_PERMISSIONS).size).toBe(GCP_PERMISSIONS.length);
    expect(Object.keys(GCP_PERMISSIONS_BY_CALL)).toHaveLength(12);
  });

  it('the lazy client loads the real one once, on first use, and again after a failed load', async () => {
    let loads = 0;
    const api = lazyComputeApi(async () => {
      loads += 1;
      if (loads === 1) throw new Error('no credentials');
      return { listRoutes: async () => [] } as never;
    });
    expect(api.loaded()).toBe(false);
    const o = { timeoutMs: 1000, signal: AbortSignal.timeout(1000) };
    await expect(api.listRoutes({ project: 'p', destRange: '10.0.0.1/32' }, o)).rejects.toThrow('no credentials');
    await api.listRoutes({ project: 'p', destRange: '10.0.0.1/32' }, o);
    await api.listRoutes({ project: 'p', destRange: '10.0.0.1/32' }, o);
    expect([loads, api.loaded()]).toEqual([2, true]);
  });
});
