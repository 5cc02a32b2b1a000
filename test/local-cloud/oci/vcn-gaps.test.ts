import * as common from 'oci-common';
import { VirtualNetworkClient } from 'oci-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MIRROR, type OciEmulator, startOciEmulator, testKeyPair } from '../../../local-cloud/oci/index.ts';
import { NO_SDK_RETRY } from '../../../shared/providers/oci/oci-sdk.ts';
import { ociFailure } from '../../support/expect-error.ts';

// The VirtualNetwork rules docs/oci.md lists beside each reference, through the real oci-core client on the wire.
const key = testKeyPair();
let emu: OciEmulator;
let vcn: VirtualNetworkClient;

const failure = ociFailure;
const INVALID = { status: 400, code: 'InvalidParameter' };
const RELATED = { status: 400, code: 'RelatedResourceNotAuthorizedOrNotFound' };
const ocid = (type: string, s: string) => `ocid1.${type}.oc1.eu-frankfurt-1.aaaa${s}`;
const IGW = ocid('internetgateway', 'igw');
const SGW = ocid('servicegateway', 'sgw');
const SERVICES = 'all-fra-services-in-oracle-services-network';

beforeAll(async () => {
  emu = await startOciEmulator({ keys: { [key.keyId]: key.publicKey } });
  const [tenancy, user, fp] = key.keyId.split('/') as [string, string, string];
  const auth = new common.SimpleAuthenticationDetailsProvider(tenancy, user, fp, key.privateKey, null);
  vcn = new VirtualNetworkClient({ authenticationDetailsProvider: auth }, NO_SDK_RETRY);
  vcn.endpoint = emu.url;
});
afterAll(async () => emu.close());
beforeEach(() => emu.reset());

const rtId = MIRROR.routeTableIds[0];
const update = (routeRules: unknown[]) =>
  vcn.updateRouteTable({ rtId, updateRouteTableDetails: { routeRules: routeRules as never } });

describe('OCI emulator: UpdateRouteTable takes every rule kind RouteRule describes', () => {
  it('IPv4 and IPv6 CIDR rules, a service gateway rule, the deprecated cidrBlock form, descriptions', async () => {
    const rules = [
      { destination: '0.0.0.0/0', destinationType: 'CIDR_BLOCK', networkEntityId: IGW, description: 'internet' },
      { destination: '::/0', destinationType: 'CIDR_BLOCK', networkEntityId: IGW },
      { destination: '2001:db8:0:45::/64', destinationType: 'CIDR_BLOCK', networkEntityId: ocid('drg', 'drg') },
      { destination: SERVICES, destinationType: 'SERVICE_CIDR_BLOCK', networkEntityId: SGW, description: 'osn' },
      { cidrBlock: '192.168.0.0/16', networkEntityId: ocid('localpeeringgateway', 'lpg') },
      { destination: MIRROR.routeVip, destinationType: 'CIDR_BLOCK', networkEntityId: MIRROR.primary.privateIpId },
    ];
    await update(rules);
    const got = (await vcn.getRouteTable({ rtId })).routeTable.routeRules;
    // answered as written, each STATIC; the cidrBlock rule also carries the destination it stands for
    expect(got).toEqual([
      { ...rules[0], routeType: 'STATIC' },
      { ...rules[1], routeType: 'STATIC' },
      { ...rules[2], routeType: 'STATIC' },
      { ...rules[3], routeType: 'STATIC' },
      { ...rules[4], destination: '192.168.0.0/16', destinationType: 'CIDR_BLOCK', routeType: 'STATIC' },
      { ...rules[5], routeType: 'STATIC' },
    ]);
    // what was read, sent back with cidrBlock beside destination, is refused: the API takes one form or the other
    expect(await failure(update(got))).toEqual(INVALID);
  });

  it('refuses what RouteRule refuses, and changes nothing', async () => {
    const before = emu.state.routeTable(rtId).routeRules;
    const bad: unknown[] = [
      { destination: '10.1.0.0/16', networkEntityId: IGW }, // destinationType is required with destination
      { destinationType: 'CIDR_BLOCK', networkEntityId: IGW }, // destination is required with destinationType
      { networkEntityId: IGW }, // no destination at all
      { cidrBlock: '10.1.0.0/16', destination: '10.1.0.0/16', destinationType: 'CIDR_BLOCK', networkEntityId: IGW },
      { cidrBlock: '::/0', networkEntityId: IGW }, // cidrBlock cannot be IPv6
      { destination: '::/0', destinationType: 'CIDR_BLOCK', networkEntityId: ocid('natgateway', 'nat') },
      { destination: '::/0', destinationType: 'CIDR_BLOCK', networkEntityId: MIRROR.primary.privateIpId },
      { destination: SERVICES, destinationType: 'CIDR_BLOCK', networkEntityId: SGW },
      { destination: SERVICES, destinationType: 'SERVICE_CIDR_BLOCK', networkEntityId: IGW },
      { destination: '0.0.0.0/0', destinationType: 'CIDR_BLOCK', networkEntityId: SGW },
      { destination: '10.0.0.0/33', destinationType: 'CIDR_BLOCK', networkEntityId: IGW },
      { destination: '10.1.0.0/16', destinationType: 'PREFIX_LIST', networkEntityId: IGW },
      { destination: '10.1.0.0/16', destinationType: 'CIDR_BLOCK', networkEntityId: IGW, routeType: 'DYNAMIC' },
      { destination: '10.1.0.0/16', destinationType: 'CIDR_BLOCK', networkEntityId: 'igw' },
    ];
    for (const rule of bad) expect([rule, await failure(update([rule]))]).toEqual([rule, INVALID]);
    const ghost = {
      destination: '10.1.0.0/16',
      destinationType: 'CIDR_BLOCK',
      networkEntityId: ocid('privateip', 'x'),
    };
    expect(await failure(update([ghost]))).toEqual(RELATED);
    expect(emu.state.routeTable(rtId).routeRules).toEqual(before);
    expect(emu.calls.filter((c) => c.op === 'UpdateRouteTable').map((c) => c.status)).toEqual(
      [...bad, ghost].map(() => 400),
    );
  });

  it('without routeRules the rules are kept (UpdateRouteTableDetails: every field optional)', async () => {
    const before = emu.state.routeTable(rtId).routeRules;
    await vcn.updateRouteTable({ rtId, updateRouteTableDetails: { displayName: 'app' } });
    expect(emu.state.routeTable(rtId).routeRules).toEqual(before);
  });
});

describe('OCI emulator: private and public IP updates as the API reference describes them', () => {
  it('UpdatePrivateIp refuses a primary private IP even for a display name; renames a secondary', async () => {
    const primary = { privateIpId: MIRROR.primary.privateIpId, updatePrivateIpDetails: { displayName: 'db' } };
    expect(await failure(vcn.updatePrivateIp(primary))).toEqual(INVALID);
    expect(emu.state.privateIp(MIRROR.primary.privateIpId).displayName).toBeUndefined();
    const before = await vcn.getPrivateIp({ privateIpId: MIRROR.privateIpId });
    const r = await vcn.updatePrivateIp({
      privateIpId: MIRROR.privateIpId,
      ifMatch: before.etag,
      updatePrivateIpDetails: { displayName: 'iris-vip' },
    });
    expect(r.privateIp).toMatchObject({ displayName: 'iris-vip', vnicId: MIRROR.primary.vnicId });
    expect(r.etag).not.toBe(before.etag);
  });

  it('a VNIC named in the body that does not exist is 400 RelatedResourceNotAuthorizedOrNotFound', async () => {
    const move = { privateIpId: MIRROR.privateIpId, updatePrivateIpDetails: { vnicId: ocid('vnic', 'gone') } };
    expect(await failure(vcn.updatePrivateIp(move))).toEqual(RELATED);
    // the private IP in the path is the request's own resource: missing, it is 404
    const missing = { privateIpId: ocid('privateip', 'gone'), updatePrivateIpDetails: { displayName: 'x' } };
    expect(await failure(vcn.updatePrivateIp(missing))).toEqual({ status: 404, code: 'NotAuthorizedOrNotFound' });
    expect(emu.state.privateIp(MIRROR.privateIpId).vnicId).toBe(MIRROR.primary.vnicId);
  });

  it('UpdatePublicIp: a display name alone renames; privateIpId "" unassigns (UNASSIGNING, then AVAILABLE)', async () => {
    emu.state.timing.assigningMs = 600_000; // UNASSIGNING is seen for sure, then ended by hand
    const renamed = await vcn.updatePublicIp({
      publicIpId: MIRROR.publicIpId,
      updatePublicIpDetails: { displayName: 'iris-public' },
    });
    expect(renamed.publicIp).toMatchObject({ displayName: 'iris-public', lifecycleState: 'ASSIGNED' });
    const off = await vcn.updatePublicIp({
      publicIpId: MIRROR.publicIpId,
      ifMatch: renamed.etag,
      updatePublicIpDetails: { privateIpId: '' },
    });
    expect(off.publicIp.lifecycleState).toBe('UNASSIGNING');
    emu.state.settlePending();
    const after = (await vcn.getPublicIp({ publicIpId: MIRROR.publicIpId })).publicIp;
    expect(after).toMatchObject({ lifecycleState: 'AVAILABLE', displayName: 'iris-public' });
    expect(after.assignedEntityId).toBeUndefined();
  });

  it('GetPublicIpByPrivateIpId finds the public IP of a private IP; none is 404; it is a read', async () => {
    const r = await vcn.getPublicIpByPrivateIpId({
      getPublicIpByPrivateIpIdDetails: { privateIpId: MIRROR.privateIpId },
    });
    expect(r.publicIp).toMatchObject({ id: MIRROR.publicIpId, lifecycleState: 'ASSIGNED' });
    expect(r.etag).toBeTruthy();
    const none = { getPublicIpByPrivateIpIdDetails: { privateIpId: MIRROR.backup.privateIpId } };
    expect(await failure(vcn.getPublicIpByPrivateIpId(none))).toEqual({ status: 404, code: 'NotAuthorizedOrNotFound' });
    expect(emu.calls.map((c) => [c.op, c.write])).toEqual([
      ['GetPublicIpByPrivateIpId', false],
      ['GetPublicIpByPrivateIpId', false],
    ]);
  });

  it('ListPrivateIps pages by limit and opc-next-page; a bad limit or page is 400', async () => {
    const pages: string[][] = [];
    let page: string | undefined;
    do {
      const r = await vcn.listPrivateIps({ subnetId: MIRROR.subnetId, limit: 2, page });
      pages.push(r.items.map((p) => p.ipAddress as string));
      page = r.opcNextPage;
    } while (page);
    expect(pages).toEqual([['10.0.0.2', '10.0.0.3'], ['10.0.0.4']]);
    expect(await failure(vcn.listPrivateIps({ subnetId: MIRROR.subnetId, limit: 0 }))).toEqual(INVALID);
    expect(await failure(vcn.listPrivateIps({ subnetId: MIRROR.subnetId, page: 'forged' }))).toEqual(INVALID);
  });

  it('GetVnic: privateIp is the VNIC primary private IP address; isPrimary per VNIC', async () => {
    const a = (await vcn.getVnic({ vnicId: MIRROR.primary.vnicId })).vnic;
    const s = (await vcn.getVnic({ vnicId: MIRROR.stranger.vnicId })).vnic;
    expect([a.privateIp, a.isPrimary, s.privateIp, s.isPrimary]).toEqual([
      MIRROR.primary.ip,
      true,
      MIRROR.stranger.ip,
      false,
    ]);
  });
});
