#!/usr/bin/env python3
"""The drill's keepalived notify hook on a member.

usage: mirror-hook.py STATE CONTROL_URL notify NOTIFIER SETTINGS   (the project's notifier, as a member runs it)
       mirror-hook.py STATE CONTROL_URL seed SEED_URL START_MS     (the seed's own script, triggered over HTTP)

The seed's algorithm runs warm in the drill's host; START_MS is what its script spends on the member before its first
cloud call (loading its cloud SDK: drill/profiles.ts `seedStartMs`), spent here before the trigger.

On MASTER: take over in the local IRIS stand-in (POST /promote, answered once primary), then tell the cloud, and report
each milestone to the stand-in, which timestamps it. Other states are only reported.
"""

import subprocess
import sys
import time
import urllib.request


def post(url, timeout=300):
    with urllib.request.urlopen(urllib.request.Request(url, data=b"", method="POST"), timeout=timeout) as r:
        return r.read()


def main(argv):
    state, control, how = argv[1], argv[2], argv[3]
    if state != "master":
        post(control + "/event/" + state)
        return 0
    post(control + "/promote")
    post(control + "/event/notify-start")
    if how == "seed":
        time.sleep(int(argv[5]) / 1000.0)
        try:
            post(argv[4])
            rc = 0
        except OSError:
            rc = 4
    else:
        # run as keepalived's notify_master line runs it (docs/keepalived.md): through its own #! line
        rc = subprocess.call([argv[4], "--config", argv[5]], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    post(control + "/event/notify-done?rc=%d" % rc)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
