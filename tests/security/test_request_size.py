"""Nobody can make a worker read a huge request: log-in and public pages take a few kB,
the XLSForm upload a few MB, and a larger request gets 413 in the visitor's language."""
from __future__ import annotations

import random

from tests.conftest import Respondent, csrf_token
from tests.uploads import multipart

SPANISH = {"Accept-Language": "es"}
SPANISH_TITLE = "Lo que envió es demasiado grande"
ENGLISH_TITLE = "What you sent is too large"


def test_request_size_oversized_login_is_refused_in_the_pages_language(client):
    """The log-in page is a staff page: its language is the browser's when the staff pages are
    translated into it (Spanish), and English when they are not (Somali)."""
    token = csrf_token(client.get("/login").text)
    reply = client.post("/login", data={"csrf_token": token, "email": "x" * 200_000, "password": "y"},
                        headers=SPANISH)
    assert reply.status_code == 413
    assert SPANISH_TITLE in reply.text and 'lang="es"' in reply.text
    reply = client.post("/login", data={"csrf_token": token, "email": "x" * 200_000, "password": "y"},
                        headers={"Accept-Language": "so"})
    assert reply.status_code == 413
    assert ENGLISH_TITLE in reply.text and 'lang="en"' in reply.text


def test_request_size_oversized_public_page_is_refused_in_the_visitors_language(app):
    respondent = Respondent(app.test_client())
    respondent.start("?lang=es")
    reply = respondent.client.post(respondent.path, data={
        "csrf_token": csrf_token(respondent.page.text), "action": "next", "role": "parent",
        "state": "other", "state_other": "x" * 1_000_000})
    assert reply.status_code == 413 and SPANISH_TITLE in reply.text


def test_request_size_oversized_multipart_public_page_is_refused(app):
    respondent = Respondent(app.test_client())
    respondent.start("?lang=es")
    body, content_type = multipart({"csrf_token": csrf_token(respondent.page.text), "action": "next"},
                                   "state_other", b"x" * 5_000_000)
    reply = respondent.client.post(respondent.path, data=body, content_type=content_type)
    assert reply.status_code == 413 and SPANISH_TITLE in reply.text


def test_request_size_a_normal_page_of_answers_is_accepted(app):
    respondent = Respondent(app.test_client())
    respondent.start()
    respondent.answer(role="parent", state="MN")
    assert respondent.path.endswith("/2")


def test_request_size_oversized_upload_is_refused_in_the_pages_language(staff_client):
    token = csrf_token(staff_client.get("/staff/surveys").text)
    body, content_type = multipart({"csrf_token": token}, "workbook", b"x" * 20_000_000)
    reply = staff_client.post("/staff/surveys?lang=es", data=body, content_type=content_type, headers=SPANISH)
    assert reply.status_code == 413 and SPANISH_TITLE in reply.text


def test_request_size_an_upload_of_a_few_mb_is_read_and_explained(staff_client):
    token = csrf_token(staff_client.get("/staff/surveys").text)
    body, content_type = multipart({"csrf_token": token}, "workbook", b"x" * 2_500_000)
    reply = staff_client.post("/staff/surveys", data=body, content_type=content_type)
    assert reply.status_code == 200 and "larger than 2 MB" in reply.text


def test_request_size_a_binary_upload_larger_than_a_read_is_read(staff_client):
    """A photo or a recording has line breaks anywhere in it, unlike a run of one letter: what the
    parser keeps between two reads must not count against the limit for form fields."""
    token = csrf_token(staff_client.get("/staff/surveys").text)
    body, content_type = multipart({"csrf_token": token}, "workbook", random.Random(3).randbytes(1_000_000),
                                   "form.zip")
    reply = staff_client.post("/staff/surveys", data=body, content_type=content_type)
    assert reply.status_code == 200 and ENGLISH_TITLE not in reply.text
