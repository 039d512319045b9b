"""Locust users: citizens filing and tracking petitions, staff working the queue.

Run by `python -m load` (through load/swarm.py), or by hand against a running portal:

    .venv/bin/locust -f load/locustfile.py --host http://127.0.0.1:8000 --headless -u 20 -t 60s

LOAD_STAFF_USERS (comma-separated usernames) and LOAD_STAFF_PASSWORD name the staff accounts;
the defaults are seed_demo's. Every petition the portal accepted (its answer page showed a case
number) is appended to ACCEPTED, which swarm.py writes out for the checks.

The portal runs with its production settings, behind a TLS-terminating proxy that is not here:
the users send `X-Forwarded-Proto: https`, as the proxy would, and send the Secure cookies over
the loopback's plain HTTP (a browser would have them over HTTPS).
"""

import http.cookiejar
import itertools
import os
import random
import re
import time
import uuid
from html import unescape

from locust import HttpUser, between, task

PETITION_NEW = "/service-center/petitions/new/"
TRACK = "/service-center/track/"
LOGIN = "/accounts/login/"
QUEUE = "/service-center/queue/"

# What the portal accepted: {"number", "idempotency_key", "email", "at"} per petition.
ACCEPTED: list[dict] = []
# Submissions whose outcome is unknown (a timeout, a connection error): the checks name them.
UNCERTAIN: list[dict] = []

DEFAULT_STAFF = "rdec_service,supervisor_pwb,staff_pwb,staff_sanmin,pwb.00002,epb.00002"
SUBJECTS = ["路燈不亮", "路面坑洞", "水溝堵塞", "違規停車", "噪音擾鄰", "垃圾未清", "Pothole"]
PLACES = [
    "三民區自由一路 100 號前",
    "苓雅區四維三路 2 號",
    "鳳山區光復路二段 132 號",
    "左營區博愛二路",
]
QUEUE_FILTERS = [
    {},
    {"status": "open"},
    {"status": "open", "sort": "received"},
    {"overdue": "on"},
    {"due_within": "3"},
    {"channel": "phone_1999"},
    {"status": "", "q": "路燈"},
    {"status": "closed"},
]

# The users stand behind the reverse proxy, as citizens and staff do in production (the server
# runs with PROXY_COUNT=1): each sends the address the proxy would report, so the per-address
# limits count each citizen, not the load generator. The documentation ranges (RFC 5737) are
# only header text here: nothing is ever sent to them.
_ADDRESSES = itertools.cycle(
    f"{net}.{host}" for net in ("192.0.2", "198.51.100", "203.0.113") for host in range(1, 255)
)
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_KEY = re.compile(r'name="idempotency_key" value="([^"]+)"')
_CATEGORY = re.compile(r'<option value="(\d+)"')
_NUMBER = re.compile(r'id="case-number">([^<]+)<')
_SECRET = re.compile(r'id="case-secret"[^>]*>([^<]+)<')
_QUESTION_SELECT = re.compile(r'<select name="(q_[\w-]+)"[^>]*>(.*?)</select>', re.S)
_QUESTION_INPUT = re.compile(r'<(?:input|textarea)[^>]*name="(q_[\w-]+)"')
_OPTION = re.compile(r'<option value="([^"]+)"')
_CASE_LINK = re.compile(r'href="(/service-center/cases/\d+/)"')


class _SecureCookiesOverLoopback(http.cookiejar.DefaultCookiePolicy):
    def return_ok_secure(self, cookie, request):
        return True


# requests builds a fresh cookie jar (with the default policy) for every request it sends, so
# the policy is changed where every jar gets it. Only in the load-generating process.
http.cookiejar.DefaultCookiePolicy.return_ok_secure = _SecureCookiesOverLoopback.return_ok_secure


def _field(pattern: re.Pattern, text: str) -> str | None:
    found = pattern.search(text)
    return unescape(found.group(1)).strip() if found else None


def _answers(page: str) -> dict:
    """Answers to the extra questions a category asks (shown after the first send)."""
    answers = {}
    for name, options in _QUESTION_SELECT.findall(page):
        values = [v for v in _OPTION.findall(options) if v]
        if values:
            answers[name] = values[0]
    for name in _QUESTION_INPUT.findall(page):
        answers.setdefault(name, "load test")
    return answers


class PortalUser(HttpUser):
    abstract = True

    def on_start(self):
        base = self.host.rstrip("/").replace("http://", "https://", 1)
        # The proxy's header, and the origin a browser sends with every form post.
        self.client.headers.update({"X-Forwarded-Proto": "https", "Origin": base})
        self.client.headers["X-Forwarded-For"] = next(_ADDRESSES)


class Citizen(PortalUser):
    """Files a petition with an email (it then waits for confirmation), then tracks it."""

    weight = 3
    wait_time = between(1, 3)

    def on_start(self):
        super().on_start()
        self.mine: list[tuple[str, str]] = []

    @task(2)
    def submit(self):
        # Each filing is another citizen, from another address.
        self.client.headers["X-Forwarded-For"] = next(_ADDRESSES)
        with self.client.get(PETITION_NEW, name="petition form", catch_response=True) as page:
            csrf, key = _field(_CSRF, page.text), _field(_KEY, page.text)
            categories = _CATEGORY.findall(page.text)
            if page.status_code != 200 or not (csrf and key and categories):
                page.failure(f"no form: {page.status_code}")
                return
        email = f"load-{key}@example.test"
        data = {
            "csrfmiddlewaretoken": csrf,
            "idempotency_key": key,
            "category": random.choice(categories),
            "subject": random.choice(SUBJECTS),
            "description": f"Load test petition {uuid.uuid4().hex[:8]}: 請派員處理。",
            "address": random.choice(PLACES),
            "name": "測試市民",
            "email": email,
            "has_consented": "on",
        }
        answer = self._post_petition(data, "petition")
        if answer is None:
            return
        if 'name="q_' in answer and not _NUMBER.search(answer):
            # The category asks questions: answer them and send again, as a citizen would.
            data.update(_answers(answer))
            answer = self._post_petition(data, "petition (answers)")
            if answer is None:
                return
        number, secret = _field(_NUMBER, answer), _field(_SECRET, answer)
        ACCEPTED.append(
            {"number": number, "idempotency_key": key, "email": email, "at": time.time()}
        )
        if secret:
            self.mine.append((number, secret))

    def _post_petition(self, data: dict, name: str) -> str | None:
        """The answer page's text if it shows a case number or the questions to answer."""
        with self.client.post(
            PETITION_NEW, data=data, name=name, catch_response=True, allow_redirects=False
        ) as response:
            text = response.text or ""
            if response.status_code == 200 and _NUMBER.search(text):
                return text
            if response.status_code == 400 and 'name="q_' in text and name == "petition":
                response.success()  # the questions page: expected for some categories
                return text
            if response.status_code == 0:
                UNCERTAIN.append({"idempotency_key": data["idempotency_key"], "error": name})
            response.failure(f"petition not accepted: {response.status_code}")
            return None

    @task(3)
    def track(self):
        self.client.headers["X-Forwarded-For"] = next(_ADDRESSES)
        if not self.mine:
            self.submit()
            return
        number, secret = random.choice(self.mine)
        with self.client.get(TRACK, name="track form", catch_response=True) as page:
            csrf = _field(_CSRF, page.text)
            if page.status_code != 200 or not csrf:
                page.failure(f"no track form: {page.status_code}")
                return
        data = {"csrfmiddlewaretoken": csrf, "number": number, "secret": secret}
        with self.client.post(
            TRACK, data=data, name="track", catch_response=True, allow_redirects=False
        ) as response:
            location = response.headers.get("Location", "")
            if response.status_code != 302 or number not in location:
                response.failure(f"tracking refused: {response.status_code}")
                return
        with self.client.get(location, name="tracked case", catch_response=True) as case:
            if case.status_code != 200 or number not in case.text:
                case.failure(f"tracked case not shown: {case.status_code}")


class Staff(PortalUser):
    """Logs in, filters the queue, opens cases."""

    weight = 2
    wait_time = between(2, 5)

    def on_start(self):
        super().on_start()
        self.cases: list[str] = []
        usernames = os.environ.get("LOAD_STAFF_USERS", DEFAULT_STAFF).split(",")
        password = os.environ.get("LOAD_STAFF_PASSWORD", "demo-password-2026")
        with self.client.get(LOGIN, name="login form", catch_response=True) as page:
            csrf = _field(_CSRF, page.text)
            if not csrf:
                page.failure(f"no login form: {page.status_code}")
                return
        data = {
            "csrfmiddlewaretoken": csrf,
            "username": random.choice(usernames).strip(),
            "password": password,
        }
        with self.client.post(
            LOGIN, data=data, name="login", catch_response=True, allow_redirects=False
        ) as response:
            if response.status_code != 302:
                response.failure(f"login refused: {response.status_code}")

    @task(3)
    def queue(self):
        params = random.choice(QUEUE_FILTERS)
        with self.client.get(
            QUEUE, params=params, name="queue (filters)", catch_response=True
        ) as page:
            if page.status_code != 200 or "<table" not in page.text:
                page.failure(f"no queue: {page.status_code}")
                return
            found = _CASE_LINK.findall(page.text)
            if found:
                self.cases = found[:20]

    @task(2)
    def open_case(self):
        if not self.cases:
            self.queue()
            return
        with self.client.get(random.choice(self.cases), name="case", catch_response=True) as page:
            if page.status_code != 200:
                page.failure(f"case not shown: {page.status_code}")

    @task(1)
    def home(self):
        self.client.get("/service-center/", name="service-centre home")
