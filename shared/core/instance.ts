import type { VerificationKey } from '../protocol/verify.ts';
import { type EngineDeps, FailoverEngine } from './engine.ts';
import { operatorEndpoint, type PauseStore, pauseCheck } from './operator.ts';

/**
 * What every cloud's function builds once per instance from its configuration, keys and providers: the engine (the
 * pause honoured) and the operator endpoint (undefined without an operator key).
 */
export function instanceRuntime(
  deps: EngineDeps & {
    operatorKeys: ReadonlyMap<string, VerificationKey>;
    pauses: PauseStore;
    log: NonNullable<EngineDeps['log']>;
  },
) {
  const { operatorKeys, pauses, ...engineDeps } = deps;
  const engine = new FailoverEngine({ ...engineDeps, pause: pauseCheck(pauses, deps.log) });
  const operator = operatorEndpoint({
    config: deps.config,
    engine,
    operatorKeys,
    providerFor: deps.providerFor,
    pauses,
    probe: deps.probe,
    nowMs: deps.nowMs,
    log: deps.log,
  });
  return { engine, operator };
}
