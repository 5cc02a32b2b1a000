import { GetParameterCommand, ParameterNotFound, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { decodePauseRecord, encodePause } from '../../config/pause-record.ts';
import type { PauseStore } from '../../core/operator.ts';

const notFound = (e: unknown) => e instanceof ParameterNotFound || (e as Error).name === 'ParameterNotFound';

/** The parameter holding a mirror's pause (the function's role may write only under `<prefix>pause/`). */
export const pauseParameter = (prefix: string, mirror: string) => `${prefix}pause/${mirror}`;

/**
 * Maintenance pauses in SSM Parameter Store: one String parameter per mirror holding the pause record every cloud
 * uses (shared/config/pause-record.ts). Resume overwrites it with a resume record, so the role needs
 * ssm:GetParameter and ssm:PutParameter only. A value that is not a well-formed record throws: the engine logs it
 * and counts the mirror as not paused.
 */
export function ssmPauseStore(region: string | undefined, prefix = '/mirror-vip/'): PauseStore {
  let ssm: SSMClient | undefined;
  const client = () => {
    ssm ??= new SSMClient({ region, maxAttempts: 3 });
    return ssm;
  };
  const opts = () => ({ abortSignal: AbortSignal.timeout(3000) });
  const put = async (mirror: string, text: string) => {
    // ssm:PutParameter on the parameter
    const cmd = new PutParameterCommand({
      Name: pauseParameter(prefix, mirror),
      Type: 'String',
      Value: text,
      Overwrite: true,
    });
    await client().send(cmd, opts());
  };
  return {
    async get(mirror) {
      const name = pauseParameter(prefix, mirror);
      try {
        // ssm:GetParameter on the parameter
        const out = await client().send(new GetParameterCommand({ Name: name }), opts());
        return decodePauseRecord(`parameter ${name}`, out.Parameter?.Value ?? '');
      } catch (e: unknown) {
        if (notFound(e)) return { paused: null, generation: 0 };
        throw e;
      }
    },
    set: (mirror, state, generation) => put(mirror, encodePause(state, undefined, generation)),
    clear: (mirror, by, generation) => put(mirror, encodePause(null, by, generation)),
  };
}
