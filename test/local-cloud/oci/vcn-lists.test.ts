import * as common from 'oci-common';
import { requests, VirtualNetworkClient } from 'oci-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  COMPARTMENT,
  MIRROR,
  type OciEmulator,
  startOciEmulator,
  testKeyPair,
} from '../../../local-cloud/oci/index.ts';
import { NO_SDK_RETRY } from '../../../shared/providers/oci/oci-sdk.ts';
import { ociFailure } from '../../support/expect-error.ts';

// ListPublicIps and ListRouteTables as the API reference states them (docs/emulators.md), through the real oci-core
// client on the wire: the required parameters, the scope rules, and the pages.
const key = testKeyPair();
let emu: OciEmulator;
let vcn: VirtualNetworkClient;
const { Scope, Lifetime } = requests.ListPublicIpsRequest;

const failure = ociFailure;
const MISSING = { status: 400, code: 'MissingParameter' };
const INVALID = { status: 400, code: 'InvalidParameter' };
const OTHER = 'ocid1.compartment.oc1..aaaaother';

beforeAll(async () => {
  emu = await startOciEmulator({ keys: { [key.keyId]: key.publicKey } });
  const [tenancy, user, fp] = key.keyId.split('/') as [string, string, string];
  const auth = new common.SimpleAuthenticationDetailsProvider(tenancy, user, fp, key.privateKey, null);
  vcn = new VirtualNetworkClient({ authenticationDetailsProvider: auth }, NO_SDK_RETRY);
  vcn.endpoint = emu.url;
});
afterAll(async () => emu.close());
beforeEach(() => emu.reset());

/** Four more reserved public IPs in the seeded compartment, one in another, one ephemeral. */
function morePublicIps() {
  for (let i = 0; i < 6; i++) {
    const id = `ocid1.publicip.oc1.eu-frankfurt-1.aaaaextra${i}`;
    emu.state.publicIps.set(id, {
      id,
      ipAddress: `198.51.100.${i}`,
      lifecycleState: 'AVAILABLE',
      privateIpId: null,
      etag: `e${i}`,
      ...(i === 4 ? { compartmentId: OTHER } : {}),
      ...(i === 5 ? { lifetime: 'EPHEMERAL' as const } : {}),
    });
  }
}

describe('ListPublicIps', () => {
  it('lists the reserved (REGION) public IPs of one compartment, page by page (limit, opc-next-page)', async () => {
    morePublicIps();
    const pages: string[][] = [];
    let page: string | undefined;
    do {
      const q = { compartmentId: COMPARTMENT, scope: Scope.Region, lifetime: Lifetime.Reserved, limit: 2, page };
      const r = await vcn.listPublicIps(q);
      pages.push(r.items.map((p) => p.ipAddress as string));
      page = r.opcNextPage;
    } while (page);
    expect(pages).toEqual([[MIRROR.publicIp, '198.51.100.0'], ['198.51.100.1', '198.51.100.2'], ['198.51.100.3']]);
    const other = await vcn.listPublicIps({ compartmentId: OTHER, scope: Scope.Region });
    expect(other.items.map((p) => p.ipAddress)).toEqual(['198.51.100.4']);
    expect(emu.calls.map((c) => [c.op, c.write])).toContainEqual(['ListPublicIps', false]);
  });

  it('needs compartmentId and scope; AVAILABILITY_DOMAIN needs an availabilityDomain, REGION takes none', async () => {
    morePublicIps();
    const region = { compartmentId: COMPARTMENT, scope: Scope.Region };
    expect(await failure(vcn.listPublicIps({ scope: Scope.Region } as never))).toEqual(MISSING);
    expect(await failure(vcn.listPublicIps({ compartmentId: COMPARTMENT } as never))).toEqual(MISSING);
    expect(await failure(vcn.listPublicIps({ ...region, scope: 'GLOBAL' as never }))).toEqual(INVALID);
    const ad = { compartmentId: COMPARTMENT, scope: Scope.AvailabilityDomain };
    expect(await failure(vcn.listPublicIps(ad))).toEqual(MISSING);
    expect(await failure(vcn.listPublicIps({ ...region, availabilityDomain: 'Uocm:EU-FRANKFURT-1-AD-1' }))).toEqual(
      INVALID,
    );
    expect(await failure(vcn.listPublicIps({ ...region, lifetime: 'FOREVER' as never }))).toEqual(INVALID);
    expect(await failure(vcn.listPublicIps({ ...region, limit: 1001 }))).toEqual(INVALID);
    const eph = await vcn.listPublicIps({ ...ad, availabilityDomain: 'Uocm:EU-FRANKFURT-1-AD-1' });
    expect(eph.items.map((p) => [p.ipAddress, p.scope, p.lifetime])).toEqual([
      ['198.51.100.5', 'AVAILABILITY_DOMAIN', 'EPHEMERAL'],
    ]);
  });
});

describe('ListRouteTables', () => {
  it('lists a compartment’s route tables (vcnId an optional filter), page by page; compartmentId is required', async () => {
    const first = await vcn.listRouteTables({ compartmentId: COMPARTMENT, limit: 1 });
    expect(first.items.map((t) => t.id)).toEqual([MIRROR.routeTableIds[0]]);
    const second = await vcn.listRouteTables({ compartmentId: COMPARTMENT, limit: 1, page: first.opcNextPage });
    expect([second.items.map((t) => t.id), second.opcNextPage]).toEqual([[MIRROR.routeTableIds[1]], undefined]);
    const byVcn = await vcn.listRouteTables({ compartmentId: COMPARTMENT, vcnId: MIRROR.vcnId });
    expect(byVcn.items.map((t) => t.id)).toEqual([...MIRROR.routeTableIds]);
    const otherVcn = await vcn.listRouteTables({ compartmentId: COMPARTMENT, vcnId: 'ocid1.vcn.oc1..aaaanone' });
    expect(otherVcn.items).toEqual([]);
    expect((await vcn.listRouteTables({ compartmentId: OTHER })).items).toEqual([]);
    expect(await failure(vcn.listRouteTables({} as never))).toEqual(MISSING);
    expect(await failure(vcn.listRouteTables({ compartmentId: COMPARTMENT, page: 'forged' }))).toEqual(INVALID);
  });
});
