import { awsCloud } from './aws.ts';
import { azureCloud } from './azure.ts';
import { gcpCloud } from './gcp.ts';
import { ociCloud } from './oci.ts';
import type { DrillCloud } from './types.ts';

/** The clouds the drill runs. A new cloud: write clouds/<cloud>.ts exporting a DrillCloud, add its profile, list it here. */
export const DRILL_CLOUDS: Record<string, DrillCloud> = {
  aws: awsCloud,
  gcp: gcpCloud,
  azure: azureCloud,
  oci: ociCloud,
};
