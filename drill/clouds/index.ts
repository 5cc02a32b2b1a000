import { awsCloud, awsEipCloud } from './aws.ts';
import { azureCloud, azureRouteCloud } from './azure.ts';
import { gcpCloud, gcpRouteCloud } from './gcp.ts';
import { ociCloud, ociRouteCloud } from './oci.ts';
import type { DrillCloud } from './types.ts';

/** The clouds the drill runs. A new cloud: write clouds/<cloud>.ts exporting a DrillCloud, add its profile, list it here. */
export const DRILL_CLOUDS: Record<string, DrillCloud> = {
  aws: awsCloud,
  gcp: gcpCloud,
  azure: azureCloud,
  oci: ociCloud,
};

/** Each cloud's other modes: no seed moves them, so the drill runs mirror-vip (and notify-failed) only. */
export const DRILL_MODES: Record<string, DrillCloud> = {
  'aws-eip': awsEipCloud,
  'gcp-route': gcpRouteCloud,
  'azure-route': azureRouteCloud,
  'oci-route': ociRouteCloud,
};
