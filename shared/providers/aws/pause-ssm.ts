import {
  DeleteParameterCommand,
  GetParameterCommand,
  ParameterNotFound,
  PutParameterCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import type { PauseState, PauseStore } from '../../core/operator.ts';

const notFound = (e: unknown) => e instanceof ParameterNotFound || (e as Error).name === 'ParameterNotFound';

/** The parameter holding a mirror's pause (the function's role may write only under `<prefix>pause/`). */
export const pauseParameter = (prefix: string, mirror: string) => `${prefix}pause/${mirror}`;

/** Maintenance pauses in SSM Parameter Store: one String parameter per paused mirror, deleted on resume. */
export function ssmPauseStore(region: string | undefined, prefix = '/mirror-vip/'): PauseStore {
  let ssm: SSMClient | undefined;
  const client = () => {
    ssm ??= new SSMClient({ region, maxAttempts: 3 });
    return ssm;
  };
  const opts = () => ({ abortSignal: AbortSignal.timeout(3000) });
  return {
    async get(mirror) {
      try {
        const out = await client().send(new GetParameterCommand({ Name: pauseParameter(prefix, mirror) }), opts());
        return JSON.parse(out.Parameter?.Value ?? 'null') as PauseState | null;
      } catch (e: unknown) {
        if (notFound(e)) return null;
        throw e;
      }
    },
    async set(mirror, state) {
      const put = new PutParameterCommand({
        Name: pauseParameter(prefix, mirror),
        Type: 'String',
        Value: JSON.stringify(state),
        Overwrite: true,
      });
      await client().send(put, opts());
    },
    async clear(mirror) {
      try {
        await client().send(new DeleteParameterCommand({ Name: pauseParameter(prefix, mirror) }), opts());
      } catch (e: unknown) {
        if (!notFound(e)) throw e;
      }
    },
  };
}
