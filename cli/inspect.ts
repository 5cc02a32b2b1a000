import { InvalidArgumentError } from 'commander';
import { loadConfig } from '../shared/config/load.ts';
import { resolveProbeSecrets } from '../shared/config/probe-secrets.ts';
import type { Config, MirrorConfig } from '../shared/config/schema.ts';
import { FailoverEngine } from '../shared/core/engine.ts';
import { cliProviders } from './providers.ts';

export { table } from './table.ts';

export function readConfig(path: string | undefined): Config {
  return loadConfig(path ? { MIRROR_VIP_CONFIG_FILE: path } : process.env);
}

/**
 * The configuration with the probes' secrets read from this shell's environment and files (env:, file:); a secret
 * this machine cannot read leaves its probe unresolved, which then answers unknown ("probe secrets not resolved").
 */
export async function withProbeSecrets(config: Config): Promise<Config> {
  try {
    return await resolveProbeSecrets(config, process.env);
  } catch {
    return config;
  }
}

/** The configuration with only the mirrors of one cloud (all when none is named); none left is an error. */
export function onlyCloud(config: Config, cloud: MirrorConfig['cloud'] | undefined): Config {
  if (!cloud) return config;
  const mirrors = config.mirrors.filter((m) => m.cloud === cloud);
  if (mirrors.length === 0) throw new InvalidArgumentError(`no ${cloud} mirror in the configuration`);
  return { ...config, mirrors };
}

/** The plan a move to `to` would execute now (observe only, no write). */
export async function mirrorPlan(config: Config, mirror: string, to: string) {
  const engine = new FailoverEngine({ config, keys: new Map(), providerFor: cliProviders() });
  return engine.plan(mirror, to);
}
