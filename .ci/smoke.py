"""Smoke-test a running `make run`: /healthz 200 with a fresh worker heartbeat, the login page, a demo login."""

import http.cookiejar
import json
import os
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

base = sys.argv[1].rstrip("/")
watched = int(sys.argv[2])  # the pid of `make run`: stop waiting if it dies
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))


def get(path: str) -> tuple[int, str]:
    try:
        with opener.open(base + path, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


deadline = time.monotonic() + 300  # first run installs the virtualenv
status, body = 0, ""
while time.monotonic() < deadline:
    try:
        os.kill(watched, 0)
    except ProcessLookupError:
        sys.exit("make run exited before /healthz answered 200")
    try:
        status, body = get("/healthz")
        if status == 200:
            break
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        pass
    time.sleep(2)
if status != 200:
    sys.exit(f"/healthz never answered 200 (last: {status} {body})")
health = json.loads(body)
age = health["heartbeat"]["age_seconds"]
assert age is not None and age <= 120, health
print(f"/healthz 200: database, broker ok; heartbeat {age}s old")

status, html = get("/login/")
assert status == 200 and "Log in" in html, status
token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
assert token, "no CSRF token on the login page"
form = urllib.parse.urlencode(
    {"csrfmiddlewaretoken": token.group(1), "username": "alice@example.com", "password": "connectivity-demo"}
).encode()
request = urllib.request.Request(base + "/login/", data=form, headers={"Referer": base + "/login/"})
with opener.open(request, timeout=10) as response:
    landed, page = response.geturl(), response.read().decode()
assert landed.rstrip("/") == base and "Good to see you, Alice" in page, landed
print("login page 200; demo user alice@example.com logged in")
