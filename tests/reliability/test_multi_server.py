"""Two app servers (separate gunicorn instances, as on two machines) in front of one
database and one Redis: what one server does, the other sees."""
from __future__ import annotations

import copy
import os
import re
import shutil
import socket
import ssl
import subprocess
import time
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import redis
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import bindparam, create_engine, func, select, text

from survey_app.models import Response

from tests.conftest import fresh_database_url, run_flask
from tests.reliability.conftest import ANSWERS, ROOT, Family, NoRedirect, Server, free_port, init_db

REDIS_URL = "redis://127.0.0.1:6379/12"


def redis_available() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


pytestmark = [pytest.mark.skipif(not redis_available() and not os.environ.get("CI"),
                                 reason="no Redis on 127.0.0.1:6379"),
              # One pair of servers and one Redis database for the module, its tests in order.
              pytest.mark.xdist_group("multi_server")]


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """One database made by the real `init-db`, for both servers and all tests here."""
    with fresh_database_url(tmp_path_factory.mktemp("multi"), prefix="multi") as url:
        env = {**os.environ, "SURVEY_ENV": "production", "SECRET_KEY": "multi-server-test-key",
               "SESSION_COOKIE_SECURE": "0", "DATABASE_URL": url, "PYTHONPATH": str(ROOT),
               "RATELIMIT_STORAGE_URI": REDIS_URL, "SURVEY_CACHE_SECONDS": "1", "RATELIMIT_PUBLIC": "10 per minute",
               "TRUSTED_PROXIES": "1", "REPORTS_PART_RESPONSES": "100"}
        init_db(env)
        yield url, env


@pytest.fixture(scope="module")
def two_servers(shared):
    servers = [Server(shared[1], workers=1), Server(shared[1], workers=1)]
    try:
        for server in servers:
            server.start()
        yield servers
    finally:
        for server in servers:
            server.stop()


@pytest.fixture(autouse=True)
def fresh_counters():
    redis.Redis.from_url(REDIS_URL).flushdb()
    yield
    redis.Redis.from_url(REDIS_URL).flushdb()


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now)
                   .not_valid_after(now + timedelta(days=1)).sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


@pytest.fixture
def proxy(two_servers, tmp_path):
    """deploy/nginx.conf in front of both servers, with only its CHANGE values changed."""
    if shutil.which("nginx") is None:
        pytest.skip("nginx is not installed") if not os.environ.get("CI") else pytest.fail("nginx is missing")
    cert, key = self_signed_certificate(tmp_path)
    plain, tls = free_port(), free_port()
    site = (ROOT / "deploy" / "nginx.conf").read_text()
    upstreams = "".join(f"    server 127.0.0.1:{server.port};\n" for server in two_servers)
    site = re.sub(r"(?m)^    server 10\.0\.0\.1\d:8000;.*\n", "", site)
    site = site.replace("keepalive 16;", upstreams + "    keepalive 16;")
    site = site.replace("listen 80;", f"listen 127.0.0.1:{plain};").replace("listen 443 ssl", f"listen 127.0.0.1:{tls} ssl")
    site = site.replace("/etc/ssl/survey/fullchain.pem", str(cert)).replace("/etc/ssl/survey/privkey.pem", str(key))
    site = site.replace("/var/log/nginx/survey-error.log", str(tmp_path / "survey-error.log"))
    main = (f"daemon off; pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log crit; user root;\n"
            "events {}\nhttp {\n" + "".join(f"  {kind}_temp_path {tmp_path}/{kind};\n"
                                             for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
            + site + "\n}\n")
    (tmp_path / "nginx.conf").write_text(main)
    with (tmp_path / "startup.txt").open("w") as startup:
        process = subprocess.Popen(["nginx", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
                                   stdout=subprocess.DEVNULL, stderr=startup)
    try:
        deadline = time.monotonic() + 20
        while not listening(tls):
            assert process.poll() is None, (tmp_path / "startup.txt").read_text()
            assert time.monotonic() < deadline, "nginx did not start"
            time.sleep(0.1)
        yield f"https://127.0.0.1:{tls}", f"http://127.0.0.1:{plain}", tmp_path
    finally:
        process.terminate()
        process.wait(timeout=10)


def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def through(base: str) -> Family:
    family = Family(base)
    family.opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(family.jar), NoRedirect(),
        urllib.request.HTTPSHandler(context=ssl._create_unverified_context()))  # the test's own certificate
    return family


def test_multi_server_the_example_proxy_serves_a_whole_survey_over_tls(proxy, two_servers, shared):
    https, http, logs = proxy
    assert Family(http).request("/s/family-voices")[0] == 301
    family = through(https)
    before = response_count(shared[0])
    family.answer_all_but_last()
    assert family.submit_last() == 302
    assert family.location.endswith("/s/family-voices/thanks")
    assert response_count(shared[0]) == before + 1
    # One app server down: the other takes the families.
    two_servers[0].stop()
    try:
        for _ in range(4):
            assert through(https).get("/s/family-voices") == 200
    finally:
        two_servers[0].start()
    for log in logs.glob("*.log"):
        assert "127.0.0.1" not in log.read_text(), log.name  # no visitor's address written


def response_count(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(select(func.count()).select_from(Response.__table__)).scalar()
    finally:
        engine.dispose()


def test_multi_server_rate_limits_are_counted_once_for_both(two_servers):
    first, second = two_servers
    family = Family(first.url)
    family.get("/s/family-voices")
    statuses = []
    for attempt in range(14):
        family.base = (first, second)[attempt % 2].url
        statuses.append(family.post("/s/family-voices/again", {}))
    assert statuses.count(429) == 4, statuses  # 10 per minute in all, not 10 on each server


def test_multi_server_a_submission_retried_on_the_other_is_stored_once(two_servers, shared):
    first, second = two_servers
    family = Family(first.url)
    family.answer_all_but_last()
    before = copy.deepcopy(family.jar._cookies)  # the phone's state when it sent the last page
    assert family.submit_last() == 302
    # The answer to that request was lost; the phone retries against the other server.
    family.jar._cookies = before
    family.base = second.url
    assert family.post("/s/family-voices/5", {**ANSWERS[-1], "action": "next"}) == 302
    assert family.location.endswith("/s/family-voices/thanks")
    engine = create_engine(shared[0])
    try:
        with engine.connect() as connection:
            stored = connection.execute(text("SELECT count(*) FROM responses WHERE id = :id"), {"id": family.id})
            assert stored.scalar() == 1
    finally:
        engine.dispose()


def staff_on(server: Server, shared, email: str) -> Family:
    password = "a long enough password for staff"
    result = run_flask(shared[1], "create-user", email, "--role", "staff", "--prompt",
                       input=f"{password}\n{password}\n")
    assert result.exit_code == 0 or "already" in result.output, result.output
    staff = Family(server.url)
    assert staff.get("/login") == 200
    assert staff.post("/login", {"email": email, "password": password}) == 302
    return staff


def report_page(staff: Family, path: str) -> str:
    """The report, once the responses are read (until then the page asks to be reloaded)."""
    deadline = time.monotonic() + 120
    while (status := staff.get(path)) == 503:
        assert time.monotonic() < deadline, "the report was never ready"
        time.sleep(0.5)
    assert status == 200
    return staff.page_html


def test_multi_server_a_report_read_on_one_is_reused_by_the_other(two_servers, shared):
    first, second = two_servers
    demo = run_flask(shared[1], "demo-responses", "--n", "300", "--seed", "2")
    assert demo.exit_code == 0, demo.output
    path = "/staff/reports/family-voices/MN"
    figures_on_first = re.findall(r"\d+(?:\.\d)?%", report_page(staff_on(first, shared, "reports@example.org"), path))
    assert figures_on_first
    engine = create_engine(shared[0])
    try:
        with engine.begin() as connection:
            stored = connection.execute(text("SELECT id, responses FROM report_parts ORDER BY id")).all()
            assert sum(responses for _id, responses in stored) >= 300
            # Behind the app's back (answers are never edited), every Minnesotan in the stored parts
            # now says New York: a server that read those answers again would show another Minnesota.
            # (The families of this minute are not in a part: every server reads them afresh.)
            moved = connection.execute(text(
                "SELECT a.id FROM answers AS a JOIN responses AS r ON r.id = a.response_id WHERE a.question = 'state' "
                "AND a.value = 'MN' AND r.submitted_at < (SELECT max(submitted_before) FROM report_parts)")).scalars().all()
            assert moved
            connection.execute(text("UPDATE answers SET value = 'NY' WHERE id IN :ids").bindparams(
                bindparam("ids", expanding=True)), {"ids": moved})
        page = report_page(staff_on(second, shared, "reports-second@example.org"), path)
        assert re.findall(r"\d+(?:\.\d)?%", page) == figures_on_first
        with engine.begin() as connection:
            assert connection.execute(text("SELECT id, responses FROM report_parts ORDER BY id")).all() == stored
            connection.execute(text("UPDATE answers SET value = 'MN' WHERE id IN :ids").bindparams(
                bindparam("ids", expanding=True)), {"ids": moved})
    finally:
        engine.dispose()


# Last: it closes the survey that the other tests answer.
def test_multi_server_a_survey_closed_on_one_is_closed_on_the_other(two_servers, shared):
    first, second = two_servers
    family = Family(second.url)
    assert family.get("/s/family-voices") == 200  # the second server has the survey in its cache
    password = "a long enough password for staff"
    result = run_flask(shared[1], "create-user", "lead@example.org", "--role", "admin", "--prompt",
                       input=f"{password}\n{password}\n")
    assert result.exit_code == 0, result.output
    staff = Family(first.url)  # staff close the survey on the first server
    assert staff.get("/login") == 200
    assert staff.post("/login", {"email": "lead@example.org", "password": password}) == 302
    assert staff.get("/staff/surveys/family-voices") == 200
    assert staff.post("/staff/surveys/family-voices/close", {}) == 302
    time.sleep(1.5)  # SURVEY_CACHE_SECONDS, and a little
    for server in (first, second):
        status, html = Family(server.url).request("/s/family-voices")
        assert status == 200 and "closed" in html.lower()
        assert 'action="/s/family-voices/start"' not in html
