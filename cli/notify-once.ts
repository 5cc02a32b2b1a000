import { buildRequest, type NotifyOutcome, sendNotify } from './notify.ts';
import {
  checkNotifySettings,
  loadNotifySettings,
  NotifyError,
  type NotifySettings,
  readKeyFile,
} from './notify-settings.ts';
import { redactUrl } from './redact.ts';

/** Load, check, read the key and send (or, dry, only sign): every failure becomes an outcome with its exit code. */
export async function notifyOnce(
  file: string | undefined,
  env: Record<string, string | undefined>,
  flags: NotifySettings,
  dryRun = false,
): Promise<NotifyOutcome & { request?: unknown }> {
  try {
    const s = checkNotifySettings(loadNotifySettings(file, env, flags));
    const secret = readKeyFile(s.keyFile);
    if (!dryRun) return await sendNotify(s, secret, env);
    const request = await buildRequest({ ...s, auth: 'none' }, secret, env);
    const message = `dry run: signed event ${request.eventId} for ${redactUrl(s.url)}, not sent`;
    return { ok: true, exitCode: 0, attempts: 0, elapsedMs: 0, eventId: request.eventId, request, message };
  } catch (e: unknown) {
    if (!(e instanceof NotifyError)) throw e;
    const code = e.exitCode === 2 ? 'settings' : e.exitCode === 3 ? 'key_file' : 'error';
    const error = { code, message: e.message };
    return { ok: false, exitCode: e.exitCode, attempts: 0, elapsedMs: 0, eventId: '', error, message: e.message };
  }
}
