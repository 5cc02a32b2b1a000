// Regenerates test/deploy/schemas/<provider>.json: `npx tsx scripts/provider-schemas.ts` (needs the npm registry).
// Each file is an extract of a package generated from the provider's own schema (see test/deploy/schemas/README.md):
// every type name the provider has, and the full argument schema of the types this repository's .tf files use plus
// the families a module here may grow into, so that test/deploy/provider-schema.test.ts reads a few hundred KB.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { convertFiles } from '@cdktf/hcl2json';
import { type Schema, typeIndex, typeSchema } from './provider-schema-extract.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const OUT = join(ROOT, 'test/deploy/schemas');

/** Which package carries which provider's schema, and the type families to keep beyond the ones used today. */
export const SOURCES = [
  {
    provider: 'aws',
    pkg: '@cdktn/provider-aws@23.7.0',
    families: ['aws_lambda_', 'aws_iam_', 'aws_cloudwatch_', 'aws_sns_', 'aws_sqs_', 'aws_scheduler_', 'aws_ssm_'],
  },
  {
    provider: 'google',
    pkg: '@cdktf/provider-google@16.12.1',
    families: [
      'google_cloudfunctions2_',
      'google_cloud_run_',
      'google_secret_manager_',
      'google_project_',
      'google_service_account',
      'google_storage_bucket',
      'google_pubsub_',
      'google_monitoring_',
      'google_logging_',
      'google_cloud_scheduler_',
      'google_compute_instance_iam_',
      'google_compute_subnetwork_iam_',
    ],
  },
  {
    provider: 'azurerm',
    pkg: '@cdktf/provider-azurerm@14.23.1',
    families: [
      'azurerm_key_vault',
      'azurerm_role_',
      'azurerm_monitor_',
      'azurerm_linux_function_app',
      'azurerm_function_app',
      'azurerm_storage_account',
      'azurerm_service_plan',
      'azurerm_user_assigned_identity',
      'azurerm_client_config',
      'azurerm_resource_group',
      'azurerm_subscription',
      'azurerm_application_insights',
      'azurerm_log_analytics_',
    ],
  },
  { provider: 'archive', pkg: '@cdktf/provider-archive@11.0.1', families: [] },
  { provider: 'random', pkg: '@cdktn/provider-random@15.0.1', families: ['random_'] },
] as const;

/** Every .tf directory of every module and example under terraform/. */
export function tfDirs(): string[] {
  const dirs: string[] = [];
  const walk = (dir: string) => {
    const names = readdirSync(join(ROOT, dir), { withFileTypes: true });
    if (names.some((n) => n.isFile() && n.name.endsWith('.tf'))) dirs.push(dir);
    for (const n of names) if (n.isDirectory() && !n.name.startsWith('.')) walk(join(dir, n.name));
  };
  walk('terraform');
  return dirs.sort();
}

async function usedTypes(): Promise<{ resource: Set<string>; data: Set<string> }> {
  const used = { resource: new Set<string>(), data: new Set<string>() };
  for (const dir of tfDirs()) {
    const tf = (await convertFiles(join(ROOT, dir))) as Record<string, Record<string, unknown> | undefined>;
    for (const kind of ['resource', 'data'] as const) for (const t of Object.keys(tf[kind] ?? {})) used[kind].add(t);
  }
  return used;
}

function unpack(spec: string, into: string): { dir: string; version: string } {
  const file = execFileSync('npm', ['pack', '--silent', spec], { cwd: into, encoding: 'utf8' })
    .trim()
    .split('\n')
    .pop();
  const dir = join(into, spec.replace(/[@/]/g, '_'));
  mkdirSync(dir);
  execFileSync('tar', ['xzf', join(into, file as string), '-C', dir, '--exclude=.jsii', '--exclude=package/.jsii']);
  const meta = JSON.parse(readFileSync(join(dir, 'package/package.json'), 'utf8'));
  return { dir: join(dir, 'package'), version: meta.cdktf?.provider?.version as string };
}

async function main(): Promise<void> {
  const used = await usedTypes();
  const work = mkdtempSync(join(tmpdir(), 'mirror-vip-schemas-'));
  try {
    for (const source of SOURCES) {
      const { dir, version } = unpack(source.pkg, work);
      const index = typeIndex(dir);
      const keep = (t: string, kind: 'resource' | 'data') =>
        used[kind].has(t) || source.families.some((f) => t.startsWith(f));
      const pick = (kind: 'resource' | 'data') =>
        Object.fromEntries(
          [...index[kind]]
            .filter(([t]) => keep(t, kind))
            .sort()
            .map(([t, d]): [string, Schema] => [t, typeSchema(dir, d)]),
        );
      const out = {
        provider: source.provider,
        providerVersion: version,
        extractedFrom: `npm ${source.pkg} (lib/*/index.js argument tables, lib/*/index.d.ts optional marks)`,
        providerConfig: typeSchema(dir, 'provider'),
        typeNames: { resource: [...index.resource.keys()].sort(), data: [...index.data.keys()].sort() },
        resource: pick('resource'),
        data: pick('data'),
      };
      writeFileSync(join(OUT, `${source.provider}.json`), `${JSON.stringify(out)}\n`);
      console.log(`${source.provider} ${version}: ${Object.keys(out.resource).length} resources kept`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
