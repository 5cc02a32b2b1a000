import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { type Command, Option } from 'commander';
import { OPERATOR_PATH, type OperatorAction, operatorRequest } from '../shared/protocol/operator.ts';
import { isDone, jsonObject, MAX_ANSWER_BYTES, readBounded } from './answer.ts';
import { imdsCredentials, type RoleCredentials, regionOf, sigv4Headers } from './aws-sigv4.ts';
import { NotifyError, readKeyFile } from './notify-settings.ts';
import { redactText, redactUrl } from './redact.ts';

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

type Opts = Record<string, string | boolean | undefined>;

/** What every request of one command shares: where, with which key, and how long each may take. */
interface Target {
  url: string;
  keyId: string;
  secret: string;
  mirror: string;
  timeoutMs: number;
  o: Opts;
}

/** Send one signed operator request to <url>/operator; the answer is printed, a refusal exits 1, no answer 4. */
async function send(action: OperatorAction, o: Opts) {
  const t = target(o);
  let generation = generationOption(o.generation);
  if ((action === 'pause' || action === 'resume') && generation === undefined) {
    // the request names the pause generation it is based on (docs/protocol.md): read it first, as inspect shows it
    const seen = await ask(t, 'inspect');
    if (typeof seen.generation !== 'number')
      throw new NotifyError(4, `inspect of ${t.mirror} gave no pause generation: is the function older than this CLI?`);
    generation = seen.generation;
  }
  const answer = await ask(t, action, generation);
  console.log(o.json ? JSON.stringify(answer) : JSON.stringify(answer, null, 2));
}

function target(o: Opts): Target {
  const url = String(o.url ?? process.env.MIRROR_VIP_URL ?? '');
  const keyId = String(o.keyId ?? process.env.MIRROR_VIP_OPERATOR_KEY_ID ?? '');
  const keyFile = String(o.keyFile ?? process.env.MIRROR_VIP_OPERATOR_KEY_FILE ?? '');
  if (!/^https?:\/\/[^/?#]+/.test(url))
    throw new NotifyError(2, `--url must be the function's http(s) URL, got '${redactUrl(url)}'`);
  if (!keyId || !keyFile) throw new NotifyError(2, '--key-id and --key-file of an operator key are required');
  if (o.awsIam && o.cloud && o.cloud !== 'aws')
    throw new NotifyError(2, `--aws-iam is for an AWS function URL, not --cloud ${o.cloud}`);
  const seconds = Number(o.timeout ?? 60);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 3600)
    throw new NotifyError(2, `--timeout must be seconds between 0 and 3600, got '${o.timeout}'`);
  return { url, keyId, secret: readKeyFile(keyFile), mirror: String(o.mirror), timeoutMs: seconds * 1000, o };
}

function generationOption(v: unknown): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !/^\d{1,10}$/.test(v))
    throw new NotifyError(2, `--generation must be a whole number (inspect shows it), got '${v}'`);
  return Number(v);
}

/** The request's body and headers: signed with the operator key, plus the ID token or SigV4 the URL needs. */
async function signed(t: Target, action: OperatorAction, generation: number | undefined, to: string) {
  const reason = typeof t.o.reason === 'string' && action === 'pause' ? t.o.reason : undefined;
  const { body, headers } = operatorRequest(
    {
      requestId: randomUUID(),
      action,
      mirror: t.mirror,
      ...(reason ? { reason } : {}),
      ...(generation === undefined ? {} : { generation }),
    },
    t.keyId,
    t.secret,
  );
  // every cloud's function takes operator requests at <function URL>/operator (Azure: route mirrorVip/operator, OCI:
  // the gateway's /event/operator route); a GCP function that requires an invoker also needs an ID token
  if (t.o.cloud === 'gcp') Object.assign(headers, { authorization: `Bearer ${await gcpOperatorToken()}` });
  if (t.o.awsIam) {
    let region: string;
    try {
      region = regionOf(to, process.env);
    } catch (e: unknown) {
      throw new NotifyError(2, `--aws-iam: ${(e as Error).message}`);
    }
    Object.assign(headers, await sigv4Headers(to, headers, body, await awsOperatorCredentials(process.env), region));
  }
  return { body, headers };
}

/**
 * One request and its answer, bounded in time (--timeout covers the whole answer) and bytes (1 MiB). A non-2xx is a
 * refusal (exit 1); a 2xx counts only as a mirror-vip answer with ok true for this action; anything else — no answer,
 * a stalled or oversized one, an HTML page, `{"ok":false}` with 200 — exits 4: whether it was done is unknown.
 */
async function ask(t: Target, action: OperatorAction, generation?: number): Promise<Record<string, unknown>> {
  const to = `${t.url.replace(/\/+$/, '')}${OPERATOR_PATH}`;
  const where = redactUrl(to);
  const { body, headers } = await signed(t, action, generation, to);
  let status: number;
  let read: Awaited<ReturnType<typeof readBounded>>;
  try {
    const signal = AbortSignal.timeout(t.timeoutMs);
    const res = await fetch(to, { method: 'POST', headers, body, redirect: 'manual', signal });
    status = res.status;
    read = await readBounded(res);
  } catch (e: unknown) {
    const err = e as Error & { cause?: Error };
    const why =
      err.name === 'TimeoutError'
        ? `no full answer within ${t.timeoutMs / 1000} s`
        : (err.cause?.message ?? err.message);
    throw new NotifyError(4, `no answer from ${where}: ${redactText(why)}`);
  }
  if (read.truncated)
    throw new NotifyError(4, `the answer from ${where} is over ${MAX_ANSWER_BYTES} bytes: not a mirror-vip answer`);
  const answer = jsonObject(read.text);
  const error = answer?.error as { code?: unknown; message?: unknown } | undefined;
  if (status < 200 || status > 299 || (answer?.ok === false && typeof error?.code === 'string')) {
    if (answer) console.log(t.o.json ? JSON.stringify(answer) : JSON.stringify(answer, null, 2));
    const detail =
      typeof error?.code === 'string'
        ? `${error.code} (${redactText(String(error.message ?? ''))})`
        : redactText(read.text.slice(0, 200));
    throw new NotifyError(1, `${action} refused: HTTP ${status} ${detail}`);
  }
  if (!isDone(answer, { action }))
    throw new NotifyError(
      4,
      `HTTP ${status} from ${where} is not a mirror-vip answer to ${action} (${redactText(read.text.slice(0, 120))}): whether it was done is unknown; run inspect`,
    );
  return answer as Record<string, unknown>;
}

/**
 * One operator request for a command that reads the answer itself (check): the answer, or NotifyError 1 when the
 * function refused and 4 when no mirror-vip answer came back, with the same bounds as every operator request.
 */
export async function postOperator(action: OperatorAction, o: Opts): Promise<Record<string, unknown>> {
  return ask(target(o), action);
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
    .option('--timeout <seconds>', 'how long to wait for each whole answer (default 60)')
    .option('--json', 'print the answer on one line');
}

/** inspect, reconcile, pause and resume: operator requests to the deployed function, signed with an operator key. */
export function addOperatorCommands(cli: Command): void {
  for (const action of ['inspect', 'reconcile', 'pause', 'resume'] as const) {
    operatorOptions(
      cli.command(action).description(DESCRIPTIONS[action]).requiredOption('--mirror <name>', 'the mirror'),
    )
      .option('--reason <text>', 'recorded with a pause')
      .option(
        '--generation <n>',
        'pause and resume: the pause generation this request is based on (as inspect shows it); without it the CLI reads it with an inspect first',
      )
      .addHelpText(
        'after',
        '\nExit codes: 0 done (a mirror-vip answer with ok true), 1 refused (HTTP status not 2xx; stale_generation: inspect and ask again), 2 usage, 3 key file, 4 no mirror-vip answer (none within --timeout, over 1 MiB, or a 2xx that is not a mirror-vip answer: whether it was done is unknown).',
      )
      .action((o) => send(action, o));
  }
}
