import { createHash, sign } from 'node:crypto';
import * as common from 'oci-common';
import { VirtualNetworkClient } from 'oci-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  MIRROR,
  type OciEmulator,
  signingString,
  startOciEmulator,
  testKeyPair,
} from '../../../local-cloud/oci/index.ts';
import { NO_SDK_RETRY } from '../../../shared/providers/oci/oci-sdk.ts';
import { ociFailure } from '../../support/expect-error.ts';

const key = testKeyPair();
let emu: OciEmulator;
let vcn: VirtualNetworkClient;

function client(privateKey: string, keyId = key.keyId) {
  const [tenancy, user, fp] = keyId.split('/') as [string, string, string];
  const auth = new common.SimpleAuthenticationDetailsProvider(tenancy, user, fp, privateKey, null);
  const c = new VirtualNetworkClient({ authenticationDetailsProvider: auth }, NO_SDK_RETRY);
  c.endpoint = emu.url;
  return c;
}

const failure = ociFailure;

beforeAll(async () => {
  emu = await startOciEmulator({ keys: { [key.keyId]: key.publicKey } });
  vcn = client(key.privateKey);
});
afterAll(async () => emu.close());
beforeEach(() => emu.reset());

describe('OCI emulator: request signatures (draft-cavage, rsa-sha256)', () => {
  it('accepts the SDK signed GET and PUT, and records the caller', async () => {
    const p = await vcn.getPrivateIp({ privateIpId: MIRROR.privateIpId });
    expect(p.privateIp).toMatchObject({ ipAddress: MIRROR.vip, vnicId: MIRROR.primary.vnicId, isPrimary: false });
    expect(p.etag).toBeTruthy();
    await vcn.updatePrivateIp({
      privateIpId: MIRROR.privateIpId,
      ifMatch: p.etag,
      updatePrivateIpDetails: { vnicId: MIRROR.backup.vnicId },
    });
    expect(emu.calls.map((c) => [c.op, c.status, c.keyId])).toEqual([
      ['GetPrivateIp', 200, key.keyId],
      ['UpdatePrivateIp', 200, key.keyId],
    ]);
  });

  it('refuses a request signed with another private key (401 NotAuthenticated), changing nothing', async () => {
    const other = testKeyPair(key.keyId);
    const err = await failure(
      client(other.privateKey).updatePrivateIp({
        privateIpId: MIRROR.privateIpId,
        updatePrivateIpDetails: { vnicId: MIRROR.backup.vnicId },
      }),
    );
    expect(err).toEqual({ status: 401, code: 'NotAuthenticated' });
    expect(emu.state.privateIp(MIRROR.privateIpId).vnicId).toBe(MIRROR.primary.vnicId);
  });

  it('refuses an unknown keyId, an unsigned request and a body that does not match its signed hash', async () => {
    const unknown = testKeyPair('ocid1.tenancy.oc1..x/ocid1.user.oc1..y/00:00');
    expect(await failure(client(unknown.privateKey, unknown.keyId).getVnic({ vnicId: MIRROR.primary.vnicId }))).toEqual(
      { status: 401, code: 'NotAuthenticated' },
    );
    const unsigned = await fetch(`${emu.url}/20160918/vnics/${MIRROR.primary.vnicId}`);
    expect(unsigned.status).toBe(401);
    // a correctly signed PUT whose body is then swapped: the signed x-content-sha256 no longer matches
    const path = `/20160918/privateIps/${MIRROR.privateIpId}`;
    const signedBody = JSON.stringify({ vnicId: MIRROR.primary.vnicId });
    const sent = JSON.stringify({ vnicId: MIRROR.backup.vnicId });
    const h: Record<string, string> = {
      'x-date': new Date().toUTCString(),
      host: new URL(emu.url).host,
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(sent)),
      'x-content-sha256': createHash('sha256').update(signedBody).digest('base64'),
    };
    const names = ['x-date', '(request-target)', 'host', 'content-type', 'content-length', 'x-content-sha256'];
    const signature = sign('RSA-SHA256', Buffer.from(signingString('PUT', path, h, names)), key.privateKey);
    const auth = `Signature version="1",keyId="${key.keyId}",algorithm="rsa-sha256",headers="${names.join(' ')}",signature="${signature.toString('base64')}"`;
    const swapped = await fetch(`${emu.url}${path}`, {
      method: 'PUT',
      headers: { ...h, authorization: auth },
      body: sent,
    });
    expect(swapped.status).toBe(401);
    // the same hand-made signature over the body actually sent passes: the check is the signature, not the client
    h['x-content-sha256'] = createHash('sha256').update(sent).digest('base64');
    const good = sign('RSA-SHA256', Buffer.from(signingString('PUT', path, h, names)), key.privateKey).toString(
      'base64',
    );
    const ok = await fetch(`${emu.url}${path}`, {
      method: 'PUT',
      headers: { ...h, authorization: auth.replace(/signature="[^"]+"/, `signature="${good}"`) },
      body: sent,
    });
    expect(ok.status).toBe(200);
    expect(emu.state.privateIp(MIRROR.privateIpId).vnicId).toBe(MIRROR.backup.vnicId);
  });
});

describe('OCI emulator: private IP rules', () => {
  it('a stale if-match is 412 NoEtagMatch', async () => {
    const err = await failure(
      vcn.updatePrivateIp({
        privateIpId: MIRROR.privateIpId,
        ifMatch: 'stale',
        updatePrivateIpDetails: { vnicId: MIRROR.backup.vnicId },
      }),
    );
    expect(err).toEqual({ status: 412, code: 'NoEtagMatch' });
  });

  it('a primary private IP cannot move; a secondary cannot leave its subnet', async () => {
    expect(
      await failure(
        vcn.updatePrivateIp({
          privateIpId: MIRROR.primary.privateIpId,
          updatePrivateIpDetails: { vnicId: MIRROR.backup.vnicId },
        }),
      ),
    ).toEqual({ status: 400, code: 'InvalidParameter' });
    expect(
      await failure(
        vcn.updatePrivateIp({
          privateIpId: MIRROR.privateIpId,
          updatePrivateIpDetails: { vnicId: MIRROR.stranger.vnicId },
        }),
      ),
    ).toEqual({ status: 400, code: 'InvalidParameter' });
  });

  it('the reserved public IP follows a moved private IP: ASSIGNING, then ASSIGNED, on one VNIC at a time', async () => {
    // far longer than the test: ASSIGNING is seen for sure, then the pending assignment is ended by hand
    emu.state.timing.assigningMs = 600_000;
    await vcn.updatePrivateIp({
      privateIpId: MIRROR.privateIpId,
      updatePrivateIpDetails: { vnicId: MIRROR.backup.vnicId },
    });
    const during = await vcn.getPublicIp({ publicIpId: MIRROR.publicIpId });
    expect(during.publicIp.lifecycleState).toBe('ASSIGNING');
    const listed = await vcn.listPrivateIps({ subnetId: MIRROR.subnetId, ipAddress: MIRROR.vip });
    expect(listed.items.map((p) => p.vnicId)).toEqual([MIRROR.backup.vnicId]);
    emu.state.settlePending();
    const after = await vcn.getPublicIp({ publicIpId: MIRROR.publicIpId });
    expect(after.publicIp).toMatchObject({ lifecycleState: 'ASSIGNED', assignedEntityId: MIRROR.privateIpId });
  });

  it('UpdatePublicIp refuses a private IP that already has a public IP (409) and one that does not exist (400)', async () => {
    emu.state.detachPublicIp(MIRROR.publicIpId);
    emu.state.publicIps.set('ocid1.publicip.oc1.eu-frankfurt-1.aaaaother', {
      id: 'ocid1.publicip.oc1.eu-frankfurt-1.aaaaother',
      ipAddress: '203.0.113.99',
      lifecycleState: 'ASSIGNED',
      privateIpId: MIRROR.backup.privateIpId,
      etag: 'x',
    });
    expect(
      await failure(
        vcn.updatePublicIp({
          publicIpId: MIRROR.publicIpId,
          updatePublicIpDetails: { privateIpId: MIRROR.backup.privateIpId },
        }),
      ),
    ).toEqual({ status: 409, code: 'Conflict' });
    expect(
      await failure(
        vcn.updatePublicIp({
          publicIpId: MIRROR.publicIpId,
          updatePublicIpDetails: { privateIpId: 'ocid1.privateip.oc1..nope' },
        }),
      ),
    ).toEqual({ status: 400, code: 'RelatedResourceNotAuthorizedOrNotFound' });
  });

  it('route tables: the whole rule list with if-match; duplicate destinations are refused', async () => {
    const rtId = MIRROR.routeTableIds[0];
    const t = await vcn.getRouteTable({ rtId });
    const rules = t.routeTable.routeRules;
    expect(
      await failure(
        vcn.updateRouteTable({ rtId, ifMatch: t.etag, updateRouteTableDetails: { routeRules: [...rules, ...rules] } }),
      ),
    ).toEqual({ status: 400, code: 'InvalidParameter' });
    await vcn.updateRouteTable({ rtId, ifMatch: t.etag, updateRouteTableDetails: { routeRules: rules.slice(0, 1) } });
    expect(
      await failure(vcn.updateRouteTable({ rtId, ifMatch: t.etag, updateRouteTableDetails: { routeRules: rules } })),
    ).toEqual({ status: 412, code: 'NoEtagMatch' });
  });

  it('injects throttling (429) and failures (500) and records them', async () => {
    emu.faults.throttle.remaining = 1;
    emu.faults.failures.remaining = 1;
    expect(await failure(vcn.getVnic({ vnicId: MIRROR.primary.vnicId }))).toEqual({
      status: 429,
      code: 'TooManyRequests',
    });
    expect(await failure(vcn.getVnic({ vnicId: MIRROR.primary.vnicId }))).toEqual({
      status: 500,
      code: 'InternalServerError',
    });
    expect((await vcn.getVnic({ vnicId: MIRROR.primary.vnicId })).vnic.skipSourceDestCheck).toBe(true);
    expect(emu.calls.map((c) => c.status)).toEqual([429, 500, 200]);
  });
});
