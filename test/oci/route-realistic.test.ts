import * as common from 'oci-common';
import { VirtualNetworkClient } from 'oci-core';
import { afterEach, describe, expect, it } from 'vitest';
import { type RouteRule, testKeyPair } from '../../local-cloud/oci/index.ts';
import { type OciWorld, startOciWorld } from '../../local-cloud/worlds/oci-world.ts';
import { NO_SDK_RETRY } from '../../shared/providers/oci/oci-sdk.ts';

// Route mode on tables like real ones: the function (real oci-core client, signed requests) rewrites whole tables,
// so every rule it does not own must come back exactly as it was, in its place.
let world: OciWorld;
const key = testKeyPair();
afterEach(async () => world?.close());

const ocid = (type: string, s: string) => `ocid1.${type}.oc1.eu-frankfurt-1.aaaa${s}`;
const VIP = '10.10.10.10/32';

/** Table 0: internet gateway default route; table 1: NAT default route. Both with the other rule kinds around the VIP rule. */
function realisticRules(i: number, vipHolder: string): RouteRule[] {
  return [
    i === 0
      ? {
          destination: '0.0.0.0/0',
          destinationType: 'CIDR_BLOCK',
          networkEntityId: ocid('internetgateway', 'igw'),
          description: 'default: internet',
        }
      : {
          destination: '0.0.0.0/0',
          destinationType: 'CIDR_BLOCK',
          networkEntityId: ocid('natgateway', 'nat'),
          description: 'default: NAT',
        },
    {
      destination: 'all-fra-services-in-oracle-services-network',
      destinationType: 'SERVICE_CIDR_BLOCK',
      networkEntityId: ocid('servicegateway', 'sgw'),
      description: 'Oracle Services Network',
      routeType: 'STATIC',
    },
    { destination: VIP, destinationType: 'CIDR_BLOCK', networkEntityId: vipHolder, description: 'IRIS mirror VIP' },
    { destination: '::/0', destinationType: 'CIDR_BLOCK', networkEntityId: ocid('internetgateway', 'igw') },
    { cidrBlock: '192.168.0.0/16', networkEntityId: ocid('drg', 'drg'), description: 'on premises (cidrBlock form)' },
    { destination: '2001:db8:100::/48', destinationType: 'CIDR_BLOCK', networkEntityId: ocid('drg', 'drg') },
  ];
}

function vcnClient(): VirtualNetworkClient {
  const [tenancy, user, fp] = key.keyId.split('/') as [string, string, string];
  const auth = new common.SimpleAuthenticationDetailsProvider(tenancy, user, fp, key.privateKey, null);
  const c = new VirtualNetworkClient({ authenticationDetailsProvider: auth }, NO_SDK_RETRY);
  c.endpoint = world.emu.url;
  return c;
}

describe('OCI route mode on a realistic route table', () => {
  it('a move changes only the VIP rule; every other rule comes back field for field, in its place', async () => {
    world = await startOciWorld({ mode: 'route', key });
    const tables = world.seed.routeTableIds;
    tables.forEach((id, i) => {
      world.state.routeTable(id).routeRules = realisticRules(i, world.seed.primary.privateIpId);
    });
    const vcn = vcnClient();
    const read = () =>
      Promise.all(tables.map(async (rtId) => (await vcn.getRouteTable({ rtId })).routeTable.routeRules));
    const before = await read();
    world.members.set('iris-a', 'down');
    world.members.set('iris-b', 'primary');
    const { result } = await world.post(world.signedRequest('iris-b'));
    expect(result?.outcome).toBe('moved');
    expect(world.routes()).toEqual(['iris-b', 'iris-b']);
    const after = await read();
    for (const [t, rules] of after.entries()) {
      const old = before[t] ?? [];
      expect(rules.length).toBe(old.length);
      // the VIP rule: same place, new target, the function's description; nothing else about it
      expect(rules[2]).toEqual({
        ...old[2],
        networkEntityId: world.seed.backup.privateIpId,
        description: 'mirror-vip IRISMIRROR',
      });
      expect(rules.filter((_, i) => i !== 2)).toEqual(old.filter((_, i) => i !== 2));
    }
    // and as stored: the deprecated cidrBlock rule is still in its form; the only field gained is routeType STATIC,
    // which every rule has when read (RouteRule.routeType) and the function sends back as read
    tables.forEach((id, i) => {
      const stored = world.state.routeTable(id).routeRules;
      const want = realisticRules(i, world.seed.backup.privateIpId);
      expect(stored.filter((_, j) => j !== 2)).toEqual(
        want.filter((_, j) => j !== 2).map((r) => ({ routeType: 'STATIC', ...r })),
      );
    });
    expect(world.emu.calls.filter((c) => c.write).map((c) => [c.op, c.status, c.ifMatch])).toEqual([
      ['UpdateRouteTable', 200, true],
      ['UpdateRouteTable', 200, true],
    ]);
  });

  it('a table without the VIP rule gets it appended; the rest stays as it was', async () => {
    world = await startOciWorld({ mode: 'route', key });
    const id = world.seed.routeTableIds[0];
    const others = realisticRules(0, world.seed.primary.privateIpId).filter((r) => r.destination !== VIP);
    world.state.routeTable(id).routeRules = structuredClone(others);
    const { results } = await world.invoke({ kind: 'mirror-vip.reconcile' });
    expect(results.map((r) => r.outcome)).toEqual(['moved']);
    const stored = world.state.routeTable(id).routeRules;
    expect(stored.slice(0, -1)).toEqual(others.map((r) => ({ routeType: 'STATIC', ...r })));
    expect(stored.at(-1)).toMatchObject({ destination: VIP, networkEntityId: world.seed.primary.privateIpId });
  });
});
