import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { type Command, Option } from 'commander';
import { OPERATOR_PATH, type OperatorAction, operatorRequest } from '../shared/protocol/operator.ts';
import { imdsCredentials, type RoleCredentials, regionOf, sigv4Headers } from './aws-sigv4.ts';
import { NotifyError, readKeyFile } from './notify-settings.ts';

const DESCRIPTIONS: Record<OperatorAction, string> = {
  inspect: "ask the deployed function for the mirror's bindings and probes as it sees them (read-only)",
  reconcile: 'ask the deployed function to reconcile the mirror now (move the VIP to the sole primary)',
  pause: 'pause moves of the mirror (maintenance): the function then answers "paused" and writes nothing',
  resume: 'end a pause: the function moves the VIP again',
  check:
    "ask the deployed function to run the preflight with its own identity (zero writes): every mirror's failover path",
};

const run = promisify(execFile);

/**
 * A Google ID token for the operator (GCP functions that require an invoker, terraform/gcp operator_invokers):
 * MIRROR_VIP_ID_TOKEN, else `gcloud auth print-identity-token` of the operator's own gcloud login.
 */
async function gcpOperatorToken(): Promise<string> {
  const given = process.env.MIRROR_VIP_ID_TOKEN?.trim();
  if (given) return given;
  try {
    const { stdout } = await run('gcloud', ['auth', 'print-identity-token'], { timeout: 30_000 });
    const token = stdout.trim();
    if (token.split('.').length !== 3) throw new Error('gcloud printed no ID token');
    return token;
  } catch (e: unknown) {
    throw new NotifyError(
      2,
      `--cloud gcp needs an ID token: log in with gcloud (gcloud auth login) or set MIRROR_VIP_ID_TOKEN (${(e as Error).message.split('\n')[0]})`,
    );
  }
}

/**
 * The operator's AWS credentials for a function URL with AuthType AWS_IAM: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY
 * (/ AWS_SESSION_TOKEN) from the environment (a profile or SSO login exports them with
 * `eval "$(aws configure export-credentials --format env)"`), else the instance role of the machine (IMDSv2).
 */
async function awsOperatorCredentials(env: NodeJS.ProcessEnv): Promise<RoleCredentials> {
  const { AWS_ACCESS_KEY_ID: id, AWS_SECRET_ACCESS_KEY: key, AWS_SESSION_TOKEN: token } = env;
  if (id && key) return { accessKeyId: id, secretAccessKey: key, ...(token ? { sessionToken: token } : {}) };
  if (id || key)
    throw new NotifyError(2, '--aws-iam: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together');
  try {
    return await imdsCredentials(env, 2000);
  } catch (e: unknown) {
    throw new NotifyError(
      2,
      `--aws-iam needs AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (eval "$(aws configure export-credentials --format env)"), or run on an instance with a role (${(e as Error).message})`,
    );
  }
}

/** Send one signed operator request to <url>/operator and read its JSON answer; no answer exits 4. */
export async function postOperator(action: OperatorAction, o: Record<string, string | boolean | undefined>) {
  const url = String(o.url ?? process.env.MIRROR_VIP_URL ?? '');
  const keyId = String(o.keyId ?? process.env.MIRROR_VIP_OPERATOR_KEY_ID ?? '');
  const keyFile = String(o.keyFile ?? process.env.MIRROR_VIP_OPERATOR_KEY_FILE ?? '');
  if (!/^https?:\/\/[^/?#]+/.test(url))
    throw new NotifyError(2, `--url must be the function's http(s) URL, got '${url}'`);
  if (!keyId || !keyFile) throw new NotifyError(2, '--key-id and --key-file of an operator key are required');
  if (o.awsIam && o.cloud && o.cloud !== 'aws')
    throw new NotifyError(2, `--aws-iam is for an AWS function URL, not --cloud ${o.cloud}`);
  const secret = readKeyFile(keyFile);
  const mirror = String(o.mirror);
  const reason = typeof o.reason === 'string' ? o.reason : undefined;
  const { body, headers } = operatorRequest(
    { requestId: randomUUID(), action, mirror, ...(reason ? { reason } : {}) },
    keyId,
    secret,
  );
  // every cloud's function takes operator requests at <function URL>/operator (Azure: route mirrorVip/operator, OCI:
  // the gateway's /event/operator route); a GCP function that requires an invoker also needs an ID token
  if (o.cloud === 'gcp') Object.assign(headers, { authorization: `Bearer ${await gcpOperatorToken()}` });
  const target = `${url.replace(/\/+$/, '')}${OPERATOR_PATH}`;
  if (o.awsIam) {
    let region: string;
    try {
      region = regionOf(target, process.env);
    } catch (e: unknown) {
      throw new NotifyError(2, `--aws-iam: ${(e as Error).message}`);
    }
    Object.assign(
      headers,
      await sigv4Headers(target, headers, body, await awsOperatorCredentials(process.env), region),
    );
  }
  let res: Response;
  try {
    res = await fetch(target, {
      method: 'POST',
      headers,
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(Number(o.timeout ?? 60) * 1000),
    });
  } catch (e: unknown) {
    throw new NotifyError(
      4,
      `no answer from ${target}: ${(e as Error & { cause?: Error }).cause?.message ?? (e as Error).message}`,
    );
  }
  const text = (await res.text()).slice(0, 1_000_000);
  let answer: Record<string, unknown> = {};
  try {
    answer = JSON.parse(text) as Record<string, unknown>;
  } catch {
    answer = { ok: false, error: { code: `http_${res.status}`, message: text.slice(0, 200) } };
  }
  return { status: res.status, ok: res.ok, answer };
}

/** Send one operator request; the answer is printed, a refusal exits 1, no answer 4. */
async function send(action: OperatorAction, o: Record<string, string | boolean | undefined>) {
  const { status, ok, answer } = await postOperator(action, o);
  console.log(o.json ? JSON.stringify(answer) : JSON.stringify(answer, null, 2));
  if (!ok) {
    const err = answer.error as { code?: string; message?: string } | undefined;
    throw new NotifyError(1, `${action} refused: HTTP ${status} ${err?.code ?? ''} (${err?.message ?? ''})`);
  }
}

/** The options every operator command takes: where the function is, the operator key, the cloud's own auth. */
export function operatorOptions(c: Command): Command {
  return c
    .option('--url <url>', 'the function URL (MIRROR_VIP_URL)')
    .option('--key-id <id>', 'operator key id (MIRROR_VIP_OPERATOR_KEY_ID), from operatorKeys in the configuration')
    .option(
      '--key-file <path>',
      'file whose first line is the operator secret, mode 600 (MIRROR_VIP_OPERATOR_KEY_FILE)',
    )
    .addOption(
      new Option(
        '--cloud <cloud>',
        "the function's cloud; gcp adds the operator's ID token (MIRROR_VIP_ID_TOKEN, else gcloud auth print-identity-token)",
      ).choices(['aws', 'gcp', 'azure', 'oci']),
    )
    .option(
      '--aws-iam',
      'the AWS function URL has AuthType AWS_IAM: sign with SigV4 (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN, else the instance role); the identity needs the invoke permissions of docs/deploy-aws.md',
    )
    .option('--timeout <seconds>', 'how long to wait for the answer (default 60)')
    .option('--json', 'print the answer on one line');
}

/** inspect, reconcile, pause and resume: operator requests to the deployed function, signed with an operator key. */
export function addOperatorCommands(cli: Command): void {
  for (const action of ['inspect', 'reconcile', 'pause', 'resume'] as const) {
    operatorOptions(
      cli.command(action).description(DESCRIPTIONS[action]).requiredOption('--mirror <name>', 'the mirror'),
    )
      .option('--reason <text>', 'recorded with a pause')
      .addHelpText('after', '\nExit codes: 0 done, 1 refused by the function, 2 usage, 3 key file, 4 no answer.')
      .action((o) => send(action, o));
  }
}
