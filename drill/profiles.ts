// Per-cloud latency profiles of the drill, from published figures. Every number names its source; where no source
// publishes a figure the entry says "assumption" and why. CI runs the same profiles times a scale factor.

/** How long each step of a failover takes on one cloud, in real-scale milliseconds. */
export interface LatencyProfile {
  cloud: string;
  /** The move the drill exercises (the seed's mechanism). */
  mode: string;
  /** keepalived VRRP advert_int: the backup declares the master down after 3 × advert_int + skew. */
  advertIntMs: number;
  /** How long the IRIS backup takes to become primary once it decides to take over. */
  promotionMs: number;
  /** Every cloud API call's round trip. */
  apiMs: number;
  /** Extra time of named API calls (AWS actions, GCP op names) on top of `apiMs`. */
  apiByOp: Record<string, number>;
  /** Long-running operations (GCP zone operations): time RUNNING before DONE, per operation name. */
  operationByOp: Record<string, number>;
  /** The alarm / schedule path: the function's reconcile runs every `schedulePeriodMs`. */
  schedulePeriodMs: number;
  /**
   * What the seed's script spends on the member before its first cloud call: loading its cloud SDK. The drill runs
   * the seed's algorithm warm in its own host, so the member's hook spends this before triggering it (the product's
   * notifier is started for real on the member, so its start is measured, not modelled). Lower bounds: only the
   * import, not the client set-up or the interpreter.
   */
  seedStartMs: number;
  /** Where each figure comes from. */
  sources: Record<string, string>;
}

// Member side, the same on every cloud.
const MEMBER = {
  // keepalived and VRRP default advert_int 1 s; Master_Down_Interval = 3 × advert + skew
  // (RFC 5798; HPE "VRRP timers": "3 × VRRP advertisement interval + Skew_Time").
  advertIntMs: 1000,
  // An IRIS backup becoming primary: messages.log of a community post shows dejournaling start → primary in ~1.3 s.
  promotionMs: 1300,
};
const MEMBER_SOURCES = {
  advertIntMs:
    'VRRP default advertisement interval 1 s; takeover after 3 × interval + skew — https://support.hpe.com/techhub/eginfolib/networking/docs/switches/12900E/5200-4934_hi-avail_cg/content/504980181.htm, keepalived advert_int 1 (https://bbs.archlinux.org/viewtopic.php?pid=983350)',
  promotionMs:
    'IRIS backup → primary: messages.log excerpt 12:05:49.781 → 12:05:51.076 (https://community.intersystems.com/user/11776); IRIS QoS timeout default 8000 ms (https://docs.intersystems.com/latest/csp/docbook/DocBook.UI.Page.cls?KEY=RCPF_Mirror_n) is the IRIS arbiter path, replaced here by keepalived',
};

export const AWS_PROFILE: LatencyProfile = {
  cloud: 'aws',
  mode: 'route (seeds 002/003)',
  ...MEMBER,
  apiMs: 100,
  apiByOp: { ReplaceRoute: 150, CreateRoute: 150, DeleteRoute: 150 },
  operationByOp: {},
  schedulePeriodMs: 60_000,
  seedStartMs: 217,
  sources: {
    ...MEMBER_SOURCES,
    seedStartMs:
      'seed 002 calls boto3 from Embedded Python: `import boto3` 217 ms wall (https://github.com/oracle/oci-python-sdk/issues/471, its comparison line); creating the EC2 client not counted',
    apiMs:
      'EC2 API round trip ~100 ms: AWS EBS direct API guide "assuming PutSnapshotBlock latency is 100ms" (https://docs.amazonaws.cn/en_us/AWSEC2/latest/UserGuide/ebsapi-performance.html)',
    apiByOp:
      'route writes 1–3 s per sync call, 104 route changes in 4 s (https://awslabs.github.io/aws-sync-routes/): ~250 ms per route write',
    schedulePeriodMs:
      'EventBridge rate(1 minute), the minimum precision of schedules (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rate-expressions.html); terraform/aws/alarms.tf',
  },
};

export const GCP_PROFILE: LatencyProfile = {
  cloud: 'gcp',
  mode: 'alias-ip + access config (seed 000)',
  ...MEMBER,
  apiMs: 100,
  apiByOp: {},
  // Seed 000: "All operations to do that take 5-20 seconds for Private VIP only" → the middle, 10 s per alias change.
  operationByOp: {
    'instances.updateNetworkInterface': 10_000,
    'instances.deleteAccessConfig': 5_000,
    'instances.addAccessConfig': 5_000,
  },
  schedulePeriodMs: 60_000,
  seedStartMs: 244,
  sources: {
    ...MEMBER_SOURCES,
    seedStartMs:
      'seed 000 runs `from google.cloud import compute_v1` in Embedded Python: google.api_core alone, which it imports, 244 ms (python -X importtime, https://github.com/googleapis/python-aiplatform/issues/6155); compute_v1 itself and the gcloud subprocess for the public IP not counted',
    apiMs:
      'assumption: the same ~100 ms API round trip as AWS; no Compute Engine figure published (operations dominate: 5–20 s)',
    operationByOp:
      'seed 000 (000_f18228eac341861e.txt, line 15): "take 5-20 seconds for Private VIP only, from 5 seconds and up to a minute for a Public/Private VIP"; alias transfer "may take up to one minute" (sdk-notes)',
    schedulePeriodMs:
      'Cloud Scheduler unix-cron, finest interval one minute (https://cloud.google.com/scheduler/docs/configuring/cron-job-schedules); terraform/gcp/triggers.tf',
  },
};

// Seed 001's Python variant (its faster one; the az CLI variant starts three az processes): no published figure, so
// measured on the drill machine: `/usr/bin/python3 -c "from azure.identity import DefaultAzureCredential; from
// azure.mgmt.network import NetworkManagementClient"`, Debian 12's python3-azure 20230112, idle machine (load 0.00):
// 776, 599, 600, 576, 603, 621 ms wall, median 601 ms, less 40 ms for `python3 -c pass` (the interpreter alone, which
// the product's notifier pays too) = 560 ms.
const AZURE_SDK_IMPORT_MS = 560;
const AZURE_SDK_IMPORT_SOURCE =
  'seed 001 (Python SDK variant): importing azure.identity and azure.mgmt.network, measured on the drill machine (Debian 12 python3-azure 20230112, Python 3.11, idle: median of 6 runs 601 ms wall, less 40 ms for the interpreter alone = 560 ms); the az CLI variant starts three az processes and costs more';

export const AZURE_PROFILE: LatencyProfile = {
  cloud: 'azure',
  mode: 'ip-config (seed 001)',
  ...MEMBER,
  apiMs: 150,
  apiByOp: {},
  // Two NIC PUTs (old without the ip-config, new with it), each a long-running operation (the emulator's op name).
  operationByOp: { 'networkInterfaces.put': 20_000 },
  schedulePeriodMs: 60_000,
  seedStartMs: AZURE_SDK_IMPORT_MS,
  sources: {
    ...MEMBER_SOURCES,
    seedStartMs: AZURE_SDK_IMPORT_SOURCE,
    apiMs: 'assumption: ARM round trip ~150 ms; the NIC operations dominate',
    operationByOp:
      'seed 001: "5-20 seconds for Private VIP only … up to a minute" for public+private; F5 Cloud Failover Extension measures 40–85 s per Azure failover (sdk-notes); Canada landing zone notes ARM route changes from 30 s to 20 min (https://github.com/canada-ca/Azure_LZBCA-AIZDB/blob/master/Network/Application_Dataflow_-_HA_and_AzLB.md)',
    schedulePeriodMs: 'Functions timer trigger, every minute (same schedule as the other clouds)',
  },
};

export const OCI_PROFILE: LatencyProfile = {
  cloud: 'oci',
  mode: 'private-ip (seed 004)',
  ...MEMBER,
  apiMs: 150,
  apiByOp: { UpdatePrivateIp: 1_000 },
  // The reserved public IP moves with the private IP; it passes ASSIGNING before ASSIGNED.
  operationByOp: { 'publicIp.assign': 5_000 },
  schedulePeriodMs: 60_000,
  seedStartMs: 900,
  sources: {
    ...MEMBER_SOURCES,
    seedStartMs:
      'seed 004: notify_master runs a Python script on the OCI SDK: `import oci` 0.9 s (Oracle Linux 8, Python 3.9) to 1.8 s (Ubuntu 20.04) (https://github.com/oracle/oci-python-sdk/issues/386); the lowest is used',
    apiMs: 'assumption: ~150 ms per OCI API call; no published figure found',
    apiByOp:
      'UpdatePrivateIp moves a secondary private IP synchronously (https://docs.oracle.com/en/engineered-systems/private-cloud-appliance/3.0-latest/ceapi/op-20160918-privateips-private_ip_id-put.html); duration: assumption 1 s, none published',
    operationByOp:
      'public IP lifecycle ASSIGNING → ASSIGNED (https://docs.cloud.oracle.com/en-us/iaas/Content/Network/Tasks/managingIPaddresses.htm); duration: assumption 5 s, none published',
    schedulePeriodMs:
      'Resource Scheduler / alarm through Notifications, every minute (assumption, same as other clouds)',
  },
};

// Each cloud's other mode. No seed uses them, so no seed figure applies; each time names its source or says
// "assumption". The drill's network applies the emulator's state at once in every mode (docs/drill.md, Limits).

export const AWS_EIP_PROFILE: LatencyProfile = {
  ...AWS_PROFILE,
  mode: 'eip',
  apiByOp: { AssociateAddress: 150, DisassociateAddress: 150 },
  sources: {
    ...AWS_PROFILE.sources,
    apiByOp:
      'assumption: an EIP association costs what a route write does (+150 ms); AWS publishes no duration. The one figure found ("takes 30 seconds to few minutes to reflect", http://harish11g.blogspot.com/2010/11/amazon-elastic-ip-5-things-to-know.html, 2010, EC2-Classic) is data-plane propagation, which the drill does not model',
  },
};

export const GCP_ROUTE_PROFILE: LatencyProfile = {
  ...GCP_PROFILE,
  mode: 'route',
  operationByOp: { 'routes.insert': 10_000, 'routes.delete': 10_000 },
  sources: {
    ...GCP_PROFILE.sources,
    operationByOp:
      'assumption: 10 s per global route operation, the same order as an alias change (local-cloud/gcp/durations.ts); Google documents routes as eventually consistent and publishes no duration',
  },
};

export const AZURE_ROUTE_PROFILE: LatencyProfile = {
  ...AZURE_PROFILE,
  mode: 'route (UDR)',
  operationByOp: { 'routes.put': 10_000 },
  sources: {
    ...AZURE_PROFILE.sources,
    operationByOp:
      'UDR route update 10 s: "The UDR route updates happen within 10 seconds" while moving secondary IPs took 8 min (https://github.com/F5Networks/f5-azure-arm-templates/issues/151); "only takes 5 seconds or so to move a UDR via API call as opposed to 2+ minutes to move a ip configuration" (https://github.com/F5Networks/f5-azure-arm-templates/issues/89)',
  },
};

export const OCI_ROUTE_PROFILE: LatencyProfile = {
  ...OCI_PROFILE,
  mode: 'route',
  apiByOp: { UpdateRouteTable: 1_000 },
  operationByOp: {},
  sources: {
    ...OCI_PROFILE.sources,
    apiByOp: 'assumption: UpdateRouteTable takes what UpdatePrivateIp does (1 s); none published',
    operationByOp: 'route mode moves no public IP',
  },
};

export const PROFILES: Record<string, LatencyProfile> = {
  aws: AWS_PROFILE,
  gcp: GCP_PROFILE,
  azure: AZURE_PROFILE,
  oci: OCI_PROFILE,
  'aws-eip': AWS_EIP_PROFILE,
  'gcp-route': GCP_ROUTE_PROFILE,
  'azure-route': AZURE_ROUTE_PROFILE,
  'oci-route': OCI_ROUTE_PROFILE,
};

/** The same profile with every duration multiplied by `factor` (CI runs at a small factor). */
export function scaleProfile(p: LatencyProfile, factor: number): LatencyProfile {
  const s = (ms: number) => Math.round(ms * factor);
  const map = (r: Record<string, number>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, s(v)]));
  return {
    ...p,
    // keepalived cannot advertise faster than every 10 ms; 100 ms keeps elections stable on a loaded machine.
    advertIntMs: Math.max(100, s(p.advertIntMs)),
    promotionMs: s(p.promotionMs),
    apiMs: s(p.apiMs),
    apiByOp: map(p.apiByOp),
    operationByOp: map(p.operationByOp),
    schedulePeriodMs: s(p.schedulePeriodMs),
    seedStartMs: s(p.seedStartMs),
  };
}
