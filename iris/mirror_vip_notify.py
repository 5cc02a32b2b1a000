#!/usr/bin/env -S python3 -I -S
"""Send a signed "became-primary" event (mirror-vip protocol v1) to the mirror-vip function.

Runs as a command (keepalived notify_master, a Patroni callback, $ZF(-100), by hand) or as a module from IRIS Embedded Python
(`mirror_vip_notify.notify_from_config(path)`). Python 3.6+ standard library only.
"""

import argparse
import hashlib
import hmac
import json
import os
import random
import re
import socket
import stat
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

DEFAULT_CONFIG = "/etc/mirror-vip/notify.conf"
CONFIG_ENV = "MIRROR_VIP_NOTIFY_CONFIG"

EXIT_ACCEPTED = 0
EXIT_REJECTED = 1
EXIT_USAGE = 2
EXIT_KEY_FILE = 3
EXIT_GAVE_UP = 4

# (setting, environment variable / settings-file key, command-line flag, default)
FIELDS = (
    ("url", "MIRROR_VIP_URL", "--url", None),
    ("mirror", "MIRROR_VIP_MIRROR", "--mirror", None),
    ("member", "MIRROR_VIP_MEMBER", "--member", None),
    ("key_id", "MIRROR_VIP_KEY_ID", "--key-id", None),
    ("key_file", "MIRROR_VIP_KEY_FILE", "--key-file", None),
    # Defaults cover a 120 s move, the slowest any cloud's function is allowed (docs/iris.md "Timeouts").
    ("deadline", "MIRROR_VIP_DEADLINE_SECONDS", "--deadline", "150"),
    ("timeout", "MIRROR_VIP_ATTEMPT_TIMEOUT_SECONDS", "--timeout", "125"),
    ("reason", "MIRROR_VIP_REASON", "--reason", None),
    ("auth", "MIRROR_VIP_AUTH", "--auth", "none"),
)
AUTH_MODES = ("none", "gcp-id-token", "aws-sigv4")
SECONDS_RE = re.compile(r"^\d{1,3}(\.\d{1,3})?$")
REQUIRED = ("url", "mirror", "member", "key_id", "key_file")
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")
KEY_ID_RE = re.compile(r"^[\x21-\x7e]{1,128}$")
MIN_SECRET_CHARS = 32
BACKOFF_FIRST, BACKOFF_CAP = 0.5, 4.0
MAX_RESPONSE_BYTES = 65536

EXIT_CODES_HELP = """exit codes:
  0  accepted: the function answered 2xx (also --dry-run, a keepalived state other than MASTER, and a Patroni
     callback other than on_role_change or on_start as primary)
  1  rejected: the function answered 4xx other than 429; its error code is printed; not retried
  2  usage or settings error; the missing or invalid setting is named
  3  key file missing, unreadable, or readable/writable by group or others (chmod 600 it)
  4  gave up: network errors, timeouts, 429 or 5xx until the deadline (attempts and last error printed);
     also an unexpected internal error: in every case nothing was accepted

settings, lowest precedence first:
  1. the settings file: KEY=value lines with the variable names below
     (--config, else $%s, else %s; the default may be absent)
  2. environment variables:
     %s
  3. the flags above

keepalived (no TTY, PATH-only environment):
  notify_master "/usr/local/bin/mirror_vip_notify.py --config %s"
  or `notify` with the same line: keepalived appends INSTANCE|GROUP NAME STATE PRIORITY and only MASTER sends.

Patroni (postgresql.callbacks):
  on_role_change: /usr/local/bin/mirror_vip_notify.py --config %s
  (also on_start): Patroni appends ACTION ROLE CLUSTER; on_role_change or on_start as primary sends.
""" % (CONFIG_ENV, DEFAULT_CONFIG, "\n     ".join(f[1] for f in FIELDS), DEFAULT_CONFIG, DEFAULT_CONFIG)


class SettingsError(Exception):
    """A setting is missing or invalid (exit 2)."""


class KeyFileError(Exception):
    """The key file is missing, unreadable or too open (exit 3)."""


def read_settings_file(path):
    """Parse `KEY=value` lines (blank lines and # comments skipped) into {setting: value}."""
    by_env = dict((f[1], f[0]) for f in FIELDS)
    found = {}
    try:
        with open(path, "r", encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except OSError as e:
        raise SettingsError("cannot read settings file %s: %s" % (path, e.strerror or e))
    for number, line in enumerate(lines, 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or key not in by_env:
            allowed = ", ".join(sorted(by_env))
            raise SettingsError("%s line %d: expected KEY=value with KEY one of %s" % (path, number, allowed))
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        found[by_env[key]] = value
    return found


def load_settings(config_path=None, environ=None, overrides=None):
    """Merge the settings file, the environment and explicit overrides (strings), highest last."""
    environ = os.environ if environ is None else environ
    explicit = config_path or environ.get(CONFIG_ENV)
    path = explicit or DEFAULT_CONFIG
    merged = dict((f[0], f[3]) for f in FIELDS if f[3] is not None)
    if explicit or os.path.exists(path):
        merged.update(read_settings_file(path))
    merged.update((f[0], environ[f[1]]) for f in FIELDS if environ.get(f[1]))
    merged.update((k, v) for k, v in (overrides or {}).items() if v is not None)
    merged["config_path"] = path
    return merged


def _field(name):
    return next(f for f in FIELDS if f[0] == name)


def _require(settings, name):
    value = settings.get(name)
    if value is None or str(value).strip() == "":
        _, env, flag, _ = _field(name)
        where = settings.get("config_path") or "the settings file"
        raise SettingsError("missing setting %s: set it in %s, in the environment, or with %s" % (env, where, flag))
    return str(value).strip()


def _seconds(problems, settings, name):
    raw = str(settings.get(name) or "").strip()
    value = float(raw) if SECONDS_RE.match(raw) else -1.0
    # Past 300 s the function's time window would refuse the (identical) retry anyway.
    if not 0 < value <= 300:
        problems.append("%s must be a number of seconds above 0 and at most 300, got '%s'" % (_field(name)[1], raw))
    return value


def _url_problem(url):
    try:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme in ("http", "https") and parts.hostname:
            return None
    except ValueError:
        pass
    return "MIRROR_VIP_URL must be an http(s) URL, got '%s'" % url.split("?")[0]


def validate(settings):
    """Check and normalise merged settings; raises SettingsError naming every wrong setting at once."""
    missing = [_field(n)[1] for n in REQUIRED if not str(settings.get(n) or "").strip()]
    if missing:
        raise SettingsError("missing setting %s: set it in the settings file, in the environment, or with a flag"
                            % ", ".join(missing))
    problems = []
    out = dict((n, str(settings[n]).strip()) for n in REQUIRED)
    out["dry_run"] = bool(settings.get("dry_run"))
    bad = _url_problem(out["url"])
    if bad:
        problems.append(bad)
    for name in ("mirror", "member"):
        if not NAME_RE.match(out[name]):
            problems.append("%s must be 1-63 letters, digits, . _ - (got '%s')" % (_field(name)[1], out[name]))
    if not KEY_ID_RE.match(out["key_id"]):
        problems.append("MIRROR_VIP_KEY_ID must be 1-128 printable characters without spaces")
    out["deadline"], out["timeout"] = _seconds(problems, settings, "deadline"), _seconds(problems, settings, "timeout")
    reason = settings.get("reason")
    if reason is not None and len(reason) > 256:
        problems.append("MIRROR_VIP_REASON must be at most 256 characters (got %d)" % len(reason))
    out["reason"] = reason or None
    out["auth"] = str(settings.get("auth") or "none").strip()
    if out["auth"] not in AUTH_MODES:
        problems.append("MIRROR_VIP_AUTH must be one of %s (got '%s')" % (", ".join(AUTH_MODES), out["auth"]))
    if problems:
        raise SettingsError("; ".join(problems))
    return out


def _imds(path, timeout, method="GET", headers=None):
    base = (os.environ.get("AWS_EC2_METADATA_SERVICE_ENDPOINT") or "http://169.254.169.254").rstrip("/")
    request = urllib.request.Request(base + path, method=method, headers=headers or {})
    with _OPENER.open(request, timeout=timeout) as response:
        return response.read(8192).decode("utf-8")


def imds_credentials(timeout):
    """The instance role's keys from IMDSv2: a session token first, then the role name, then its credentials."""
    token = _imds("/latest/api/token", timeout, "PUT", {"X-aws-ec2-metadata-token-ttl-seconds": "300"})
    auth = {"X-aws-ec2-metadata-token": token}
    roles = _imds("/latest/meta-data/iam/security-credentials/", timeout, headers=auth).split()
    if not roles:
        raise ValueError("the instance has no role")
    found = json.loads(_imds("/latest/meta-data/iam/security-credentials/" + urllib.parse.quote(roles[0]), timeout,
                             headers=auth))
    return {"accessKeyId": found["AccessKeyId"], "secretAccessKey": found["SecretAccessKey"], "token": found.get("Token")}


def _region_of(host):
    m = re.search(r"\.lambda-url\.([a-z0-9-]+)\.on\.aws$", host or "")
    region = m.group(1) if m else os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    if not region:
        raise ValueError("cannot tell the region: not a lambda-url host and AWS_REGION is not set")
    return region


def _hmac256(key, text):
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).digest()


def sign_sigv4(request, creds, now=None):
    """Add AWS Signature Version 4 headers (service lambda) for a function URL with AuthType AWS_IAM."""
    parts = urllib.parse.urlsplit(request["url"])
    region = _region_of(parts.hostname)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(time.time() if now is None else now))
    payload = hashlib.sha256(request["body"]).hexdigest()
    headers = request["headers"]
    headers["X-Amz-Date"], headers["X-Amz-Content-Sha256"] = stamp, payload
    if creds.get("token"):
        headers["X-Amz-Security-Token"] = creds["token"]
    canon = dict((k.lower(), " ".join(str(v).split())) for k, v in headers.items())
    canon["host"] = parts.netloc.rpartition("@")[2]
    names = sorted(canon)
    query = "&".join("%s=%s" % (urllib.parse.quote(k, safe="-_.~"), urllib.parse.quote(v, safe="-_.~"))
                     for k, v in sorted(urllib.parse.parse_qsl(parts.query, keep_blank_values=True)))
    path = urllib.parse.quote(parts.path or "/", safe="/-_.~")
    canonical = "\n".join(["POST", path, query] + ["%s:%s" % (n, canon[n]) for n in names] +
                          ["", ";".join(names), payload])
    scope = "%s/%s/lambda/aws4_request" % (stamp[:8], region)
    to_sign = "\n".join(["AWS4-HMAC-SHA256", stamp, scope, hashlib.sha256(canonical.encode("utf-8")).hexdigest()])
    key = ("AWS4" + creds["secretAccessKey"]).encode("utf-8")
    for part in (stamp[:8], region, "lambda", "aws4_request"):
        key = _hmac256(key, part)
    signature = hmac.new(key, to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s" % (
        creds["accessKeyId"], scope, ";".join(names), signature)
    return request


def gcp_id_token(audience, timeout):
    """A Google ID token for `audience` from the VM's metadata server (its service account may only invoke the function)."""
    host = os.environ.get("GCE_METADATA_HOST") or "metadata.google.internal"
    query = urllib.parse.urlencode({"audience": audience, "format": "full"})
    url = "http://%s/computeMetadata/v1/instance/service-accounts/default/identity?%s" % (host, query)
    request = urllib.request.Request(url, headers={"Metadata-Flavor": "Google"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        token = response.read(8192).decode("ascii").strip()
    if token.count(".") != 2:
        raise ValueError("the metadata server did not return a JWT")
    return token


def read_secret(path):
    """Return the secret from a key file that only its owner can read or write."""
    try:
        info = os.stat(path)
    except OSError as e:
        raise KeyFileError("key file %s cannot be read: %s" % (path, e.strerror or e))
    if not stat.S_ISREG(info.st_mode):
        raise KeyFileError("key file %s is not a regular file" % path)
    mode = stat.S_IMODE(info.st_mode)
    if mode & 0o077:
        raise KeyFileError(
            "key file %s has mode %04o: it must not be readable or writable by group or others; run chmod 600 %s"
            % (path, mode, path)
        )
    try:
        with open(path, "r", encoding="utf-8") as handle:
            secret = handle.readline(4096).rstrip("\r\n")  # bounded: a huge file cannot fill memory
    except (OSError, UnicodeDecodeError) as e:
        raise KeyFileError("key file %s cannot be read: %s" % (path, getattr(e, "strerror", None) or e))
    if len(secret) < MIN_SECRET_CHARS:
        raise KeyFileError("key file %s holds %d characters; a mirror-vip secret has at least %d on its first line"
                           % (path, len(secret), MIN_SECRET_CHARS))
    return secret


def sign(secret, key_id, timestamp, body):
    """The X-Mirror-Vip-Signature value: v1= + lower-case hex HMAC-SHA256 over the v1 signing string."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    message = ("mirror-vip/v1\n%s\n%s\n" % (key_id, timestamp)).encode("utf-8") + body
    return "v1=" + hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def build_request(settings, secret, now=None, event_id=None):
    """The exact request to send (and resend on retry): URL, headers and body bytes."""
    event = {"version": 1, "type": "became-primary", "eventId": event_id or str(uuid.uuid4()),
             "mirror": settings["mirror"], "member": settings["member"], "host": socket.gethostname()[:253]}
    if settings.get("reason"):
        event["reason"] = settings["reason"]
    # ASCII-only JSON: the bytes are the same whatever the locale of the calling process.
    body = json.dumps(event, separators=(",", ":")).encode("ascii")
    timestamp = str(int(time.time() if now is None else now))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "mirror-vip-notify/1",
        "X-Mirror-Vip-Key-Id": settings["key_id"],
        "X-Mirror-Vip-Timestamp": timestamp,
        "X-Mirror-Vip-Signature": sign(secret, settings["key_id"], timestamp, body),
    }
    return {"url": settings["url"], "headers": headers, "body": body, "eventId": event["eventId"]}


def _redact(url):
    """The URL without credentials or query (an Azure function key travels in ?code=)."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = "[%s]" % host
    if parts.port:
        host = "%s:%d" % (host, parts.port)
    return urllib.parse.urlunsplit((parts.scheme, host, parts.path, "", ""))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # a redirect would turn the POST into a GET: report it instead


_OPENER = urllib.request.build_opener(_NoRedirect)


def _one_line(text):
    return " ".join(str(text).split())


def _secs(value):
    return "%g" % round(value, 2)


def _describe(error, timeout):
    reason = getattr(error, "reason", error)
    if isinstance(reason, socket.timeout) or "timed out" in str(reason):
        return "timed out after %s s" % _secs(timeout)
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    return str(reason) or type(reason).__name__


def _attempt(request, timeout):
    """One POST; returns {status, body, retryAfter} or {status: None, error}."""
    req = urllib.request.Request(request["url"], data=request["body"], headers=request["headers"], method="POST")
    try:
        with _OPENER.open(req, timeout=timeout) as resp:
            return {"status": resp.status, "body": resp.read(MAX_RESPONSE_BYTES)}
    except urllib.error.HTTPError as e:
        try:
            body = e.read(MAX_RESPONSE_BYTES)
        except Exception:  # the body of an error is optional
            body = b""
        return {"status": e.code, "body": body, "retryAfter": e.headers.get("Retry-After") if e.headers else None}
    except Exception as e:  # network failure of any kind: retryable
        return {"status": None, "error": _describe(e, timeout)}


def _bounded_attempt(request, timeout):
    """Run one attempt in a thread so that nothing (not even a stuck DNS lookup) outlasts the timeout."""
    box = {}
    worker = threading.Thread(target=lambda: box.setdefault("r", _attempt(request, timeout)), daemon=True)
    worker.start()
    worker.join(timeout)
    return box.get("r") or {"status": None, "error": "timed out after %s s" % _secs(timeout)}


def _pause(attempt, retry_after):
    base = min(BACKOFF_CAP, BACKOFF_FIRST * 2 ** (attempt - 1))
    delay = random.uniform(base / 2, base)
    if retry_after and str(retry_after).strip().isdigit():
        delay = max(delay, float(retry_after))
    return delay


def _json_or_none(raw):
    try:
        return json.loads(raw.decode("utf-8", "replace"))
    except ValueError:
        return None


def send(request, deadline, timeout, clock=time.monotonic, sleep=time.sleep):
    """POST the identical request until a definitive answer or the deadline; returns the outcome dict."""
    start = clock()
    end, attempts, last = start + deadline, 0, None
    while end - clock() > 0.05:  # an attempt needs some time: a sliver of deadline would only "time out"
        attempts += 1
        result = _bounded_attempt(request, min(timeout, end - clock()))
        status = result["status"]
        if status is not None and status < 500 and status != 429:
            return _answered(request, result, attempts, clock() - start)
        last = result
        pause = _pause(attempts, result.get("retryAfter"))
        if clock() + pause >= end:
            break  # never sleep past the deadline
        sleep(pause)
    return _gave_up(request, last, attempts, clock() - start, deadline)


def _is_accepted(body, event_id):
    """A mirror-vip answer that accepts the event: ok true, an outcome, and this event's id when it names one."""
    return (isinstance(body, dict) and body.get("ok") is True and isinstance(body.get("outcome"), str)
            and bool(body["outcome"]) and body.get("eventId", event_id) == event_id)


def _answered(request, result, attempts, elapsed):
    status, body = result["status"], _json_or_none(result["body"])
    where = _redact(request["url"])
    base = {"status": status, "attempts": attempts, "elapsedMs": int(elapsed * 1000), "eventId": request["eventId"]}
    if 200 <= status < 300 and not _is_accepted(body, request["eventId"]):
        # a 2xx counts only as the function's answer to this event: a proxy's 200 page or {"ok":false} is not
        error = {"code": "unexpected_answer", "message": _one_line(result["body"][:200].decode("utf-8", "replace"))}
        message = "rejected: HTTP %d from %s is not a mirror-vip answer that accepts event %s (%s); not retried" % (
            status, where, request["eventId"], error["message"])
        return dict(base, ok=False, exitCode=EXIT_REJECTED, error=error, message=message)
    if 200 <= status < 300:
        done = body.get("outcome") if isinstance(body, dict) else None
        message = "accepted: HTTP %d from %s after %d attempt(s) in %d ms, event %s%s" % (
            status, where, attempts, base["elapsedMs"], request["eventId"], ", outcome %s" % done if done else "")
        return dict(base, ok=True, exitCode=EXIT_ACCEPTED, response=body, message=message)
    error = body.get("error") if isinstance(body, dict) else None
    original = body.get("original") if isinstance(body, dict) else None
    if (attempts > 1 and isinstance(error, dict) and error.get("code") == "replayed_event"
            and isinstance(original, dict) and 200 <= (original.get("status") or 0) < 300):
        # An earlier attempt reached the function and was accepted; only its answer was lost on the way back.
        message = "accepted on an earlier attempt (its answer was lost): outcome %s, event %s" % (
            original.get("outcome"), request["eventId"])
        return dict(base, ok=True, exitCode=EXIT_ACCEPTED, response=body, message=message)
    if not isinstance(error, dict) or "code" not in error:
        error = {"code": "redirect" if status < 400 else "http_%d" % status,
                 "message": result["body"][:200].decode("utf-8", "replace")}
    message = "rejected: HTTP %d %s (%s) from %s, event %s; not retried" % (
        status, _one_line(error.get("code")), _one_line(error.get("message", "")), where, request["eventId"])
    return dict(base, ok=False, exitCode=EXIT_REJECTED, error=error, message=message)


def _gave_up(request, last, attempts, elapsed, deadline):
    if last is None:
        why = "no attempt fitted in the deadline"
    elif last["status"] is None:
        why = last["error"]
    else:
        why = "HTTP %d" % last["status"]
    message = "gave up: %s unreachable or failing after %d attempt(s) in %d ms (deadline %g s), last error: %s" % (
        _redact(request["url"]), attempts, int(elapsed * 1000), deadline, why)
    return {"ok": False, "exitCode": EXIT_GAVE_UP, "status": last and last["status"], "attempts": attempts,
            "elapsedMs": int(elapsed * 1000), "eventId": request["eventId"],
            "error": {"code": "gave_up", "message": message}, "message": message}


def _failure(code, kind, message):
    return {"ok": False, "exitCode": code, "status": None, "attempts": 0, "elapsedMs": 0,
            "error": {"code": kind, "message": message}, "message": message}


def notify(settings):
    """Validate, sign and send one event; returns the outcome dict and never raises (safe for ZMIRROR)."""
    try:
        checked = validate(settings)
        request = build_request(checked, read_secret(checked["key_file"]))
        if checked["auth"] == "aws-sigv4" and not checked["dry_run"]:
            try:
                sign_sigv4(request, imds_credentials(min(checked["timeout"], 5)))
            except Exception as e:
                return _failure(EXIT_GAVE_UP, "auth", "gave up: no credentials for aws-sigv4: %s" % _one_line(str(e)))
        if checked["auth"] == "gcp-id-token" and not checked["dry_run"]:
            try:
                audience = _redact(checked["url"])
                request["headers"]["Authorization"] = "Bearer " + gcp_id_token(audience, checked["timeout"])
            except Exception as e:
                return _failure(EXIT_GAVE_UP, "auth", "no ID token from the metadata server: %s" % _one_line(str(e)))
        if checked["dry_run"]:
            shown = {"url": _redact(request["url"]), "headers": request["headers"], "body": request["body"].decode()}
            return {"ok": True, "exitCode": EXIT_ACCEPTED, "status": None, "attempts": 0, "elapsedMs": 0,
                    "eventId": request["eventId"], "dryRun": True, "request": shown,
                    "message": "dry run: signed event %s for %s, not sent" % (request["eventId"], shown["url"])}
        return send(request, checked["deadline"], checked["timeout"])
    except SettingsError as e:
        return _failure(EXIT_USAGE, "settings", "settings error: %s" % e)
    except KeyFileError as e:
        return _failure(EXIT_KEY_FILE, "key_file", str(e))
    except Exception as e:  # the caller may be a failover hook: report, never raise
        return _failure(EXIT_GAVE_UP, "internal", "internal error: %s: %s" % (type(e).__name__, e))


def notify_from_config(config_path=DEFAULT_CONFIG, reason=None, deadline=None):
    """Embedded Python entry: settings file + environment, then notify(); never raises."""
    try:
        # ZMIRROR passes "" for "the settings file's deadline" (ObjectScript has no None).
        overrides = {"reason": reason, "deadline": None if deadline in (None, "") else str(deadline)}
        return notify(load_settings(config_path, overrides=overrides))
    except SettingsError as e:
        return _failure(EXIT_USAGE, "settings", "settings error: %s" % e)
    except Exception as e:  # never raise into ZMIRROR
        return _failure(EXIT_GAVE_UP, "internal", "internal error: %s: %s" % (type(e).__name__, e))


def sign_vectors(path):
    """Signatures for the `signing` entries of a protocol vectors file: [{name, signature}]."""
    with open(path, "r", encoding="utf-8") as handle:
        vectors = json.load(handle)
    return [{"name": v["name"], "signature": sign(v["secret"], v["keyId"], v["timestamp"], v["body"])}
            for v in vectors["signing"]]


def _parser():
    p = argparse.ArgumentParser(
        prog="mirror_vip_notify.py", epilog=EXIT_CODES_HELP, formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Tell the mirror-vip function that this member became primary (signed event, protocol v1).")
    p.add_argument("--config", help="settings file (default %s, or $%s)" % (DEFAULT_CONFIG, CONFIG_ENV))
    for name, env, flag, default in FIELDS:
        shown = " (default %s)" % default if default else ""
        p.add_argument(flag, dest=name, metavar="VALUE", help="overrides %s%s" % (env, shown))
    p.add_argument("--dry-run", action="store_true", help="sign and print the request, do not send it")
    p.add_argument("--json", action="store_true", help="print the outcome as one JSON object on stdout")
    p.add_argument("--sign-vectors", metavar="FILE", help="print signatures for the vectors file's `signing` entries")
    p.add_argument("keepalived", nargs="*", metavar="CALLBACK_ARG",
                   help="INSTANCE|GROUP NAME STATE [PRIORITY] as keepalived's `notify` appends them, or "
                        "ACTION ROLE CLUSTER as Patroni's callbacks do")
    return p


PATRONI_ACTIONS = ("on_start", "on_stop", "on_restart", "on_reload", "on_role_change")
# Patroni passes `promoted` as `primary` (postgresql/__init__.py call_nowait); `master` is Patroni before 3.0.
PATRONI_PRIMARY = ("primary", "master")


def _patroni_gate(words):
    """(skip message, default reason) for Patroni's callback arguments ACTION ROLE CLUSTER."""
    if len(words) != 3:
        raise SettingsError("unexpected arguments %r: Patroni's callbacks pass ACTION ROLE CLUSTER" % " ".join(words))
    action, role, cluster = words
    said = "patroni %s %s %s" % (action, role, cluster)
    if role not in PATRONI_PRIMARY:
        return "ignored: %s; only the role primary sends an event" % said, None
    if action not in ("on_role_change", "on_start"):
        return "ignored: %s; only on_role_change and on_start as primary send an event" % said, None
    return None, said


def _callback_gate(words):
    """(skip message, default reason) for keepalived's generic notify or Patroni's callback arguments."""
    if not words:
        return None, None
    if words[0] in PATRONI_ACTIONS:
        return _patroni_gate(words)
    if len(words) not in (3, 4) or words[0] not in ("INSTANCE", "GROUP"):
        raise SettingsError("unexpected arguments %r: keepalived's notify passes INSTANCE|GROUP NAME STATE [PRIORITY],"
                            " Patroni's callbacks ACTION ROLE CLUSTER" % " ".join(words))
    said = "keepalived %s" % " ".join(words[:3]) + (" priority %s" % words[3] if len(words) == 4 else "")
    if words[2] != "MASTER":
        return "ignored: %s; only MASTER sends an event" % said, None
    return None, said


def _say(stream, text):
    try:
        stream.write(text + "\n")
    except UnicodeEncodeError:  # Python 3.6 in a bare environment writes ASCII only
        stream.write(text.encode("ascii", "backslashreplace").decode("ascii") + "\n")
    stream.flush()


def _report(outcome, as_json):
    if as_json:
        shown = dict((k, v) for k, v in outcome.items() if k not in ("message", "exitCode"))
        _say(sys.stdout, json.dumps(shown, sort_keys=True))
    else:
        _say(sys.stdout, outcome["message"])
    if not outcome["ok"]:
        _say(sys.stderr, "mirror_vip_notify: " + outcome["message"])


def main(argv=None):
    """Command-line entry point; returns the exit code."""
    args = _parser().parse_args(argv)
    if args.sign_vectors:
        try:
            _say(sys.stdout, json.dumps(sign_vectors(args.sign_vectors)))
            return EXIT_ACCEPTED
        except (OSError, ValueError, KeyError) as e:
            _say(sys.stderr, "mirror_vip_notify: cannot read vectors %s: %s" % (args.sign_vectors, e))
            return EXIT_USAGE
    try:
        skip, keepalived_reason = _callback_gate(args.keepalived)
        if skip:
            outcome = {"ok": True, "exitCode": EXIT_ACCEPTED, "status": None, "attempts": 0, "elapsedMs": 0,
                       "skipped": True, "message": skip}
        else:
            overrides = dict((f[0], getattr(args, f[0])) for f in FIELDS)
            overrides["reason"] = overrides["reason"] or keepalived_reason
            settings = load_settings(args.config, overrides=overrides)
            settings["dry_run"] = args.dry_run
            outcome = notify(settings)
    except SettingsError as e:
        outcome = _failure(EXIT_USAGE, "settings", "settings error: %s" % e)
    _report(outcome, args.json)
    return outcome["exitCode"]


if __name__ == "__main__":
    sys.exit(main())
