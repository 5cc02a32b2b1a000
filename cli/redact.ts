/** Query parameters and key=value pairs that carry secrets (Azure function keys travel in ?code=, SAS in sig=). */
const SECRET_KEYS =
  /\b(code|sig|signature|token|access_token|key|apikey|api_key|password|secret|x-amz-signature|x-amz-credential|x-amz-security-token)=[^&\s'"<>]*/gi;
const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s'"<>]+/gi;

/** A URL as it may be shown: scheme, host and path; no user:password@, no query, no fragment (as the Python notifier). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return url.replace(/\/\/[^/@\s]*@/, '//').replace(/[?#].*$/, '');
  }
}

/** Any text that may quote a URL (an error message, an answer): every URL redacted, secret key=value pairs masked. */
export function redactText(text: string): string {
  return text.replace(URL_IN_TEXT, (u) => redactUrl(u)).replace(SECRET_KEYS, (_m, k: string) => `${k}=[redacted]`);
}
