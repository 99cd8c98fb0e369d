"""Native speakers record the survey's texts in the browser; staff accept a recording and the
survey becomes a new version that families hear it in."""
from __future__ import annotations

import io
import re
import shutil

import pytest

from survey_app import storage, surveys
from tests.conftest import PASSWORD, Respondent, csrf_token, log_in, tone
from tests.media_surveys import voices_folder
from tests.survey_app.conftest import audio_sources

pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg is not installed (make ffmpeg)")
PAGE = "/review/school-voices/hmn/recordings"


@pytest.fixture
def recorded_survey(app, runner, tmp_path, recordings, converted_once):
    assert runner.invoke(args=["load-survey", str(voices_folder(tmp_path / "form", recordings))]).exit_code == 0
    assert runner.invoke(args=["publish-survey", "school-voices"]).exit_code == 0
    storage.create_user("hmn@example.org", PASSWORD, "translator", language="hmn")
    storage.create_user("staff@example.org", PASSWORD, "staff")


def send(client, data: dict, recording: bytes | None = None, name: str = "recording.webm"):
    page = client.get(PAGE)
    form = {"csrf_token": csrf_token(page.text), **data}
    if recording is not None:
        form["recording"] = (io.BytesIO(recording), name)
    return client.post(PAGE, data=form, content_type="multipart/form-data", follow_redirects=True)


def test_review_recordings_recorded_accepted_and_heard(app, client, recorded_survey):
    translator = app.test_client()
    log_in(translator, "hmn@example.org")
    page = translator.get(PAGE)
    assert page.status_code == 200 and "4 of 5 texts have a voice in this language." in page.text
    assert "Tsis yog" in page.text and 'type="file" accept="audio/*"' in page.text
    assert "4 of 5 texts have a voice" in translator.get("/review/").text

    reply = send(translator, {"target": "choices:yn/no", "text": "Tsis yog", "action": "propose"},
                 tone("no.ogg", 300))
    assert "Your recording was saved." in reply.text and "waiting for staff" in reply.text
    # Only staff accept.
    assert send(translator, {"target": "choices:yn/no", "text": "Tsis yog", "action": "accept"}).status_code == 403

    staff = app.test_client()
    log_in(staff, "staff@example.org")
    reply = send(staff, {"target": "choices:yn/no", "text": "Tsis yog", "action": "accept"})
    assert "Accepted: the survey is now version 2." in reply.text
    assert "5 of 5 texts have a voice" in reply.text
    assert surveys.newest_version("school-voices").version == 2
    log = re.sub(r"<[^>]+>", "", staff.get("/staff/audit").text)
    assert "Recorded choices:yn/no of school-voices in hmn, for staff to accept." in log
    assert "Accepted the recording of choices:yn/no of school-voices in hmn: version 2." in log

    page = Respondent(client, "school-voices").start("?lang=hmn")
    sources = audio_sources(page.text)
    assert len(sources) == 4 and all(client.get(source).status_code == 200 for source in sources)


@pytest.mark.parametrize(("data", "recording", "message"), [
    ({"target": "choices:yn/no", "text": "Tsis yog", "action": "propose"}, b"not a recording",
     "could not be read as a recording"),
    ({"target": "choices:yn/no", "text": "Tsis yog", "action": "propose"}, None,
     "Record the text, or choose a recording, before sending it."),
    ({"target": "choices:yn/no", "text": "An older wording", "action": "propose"}, b"x",
     "its wording has changed"),
])
def test_review_recordings_refuses_what_cannot_be_used(app, recorded_survey, data, recording, message):
    translator = app.test_client()
    log_in(translator, "hmn@example.org")
    reply = send(translator, data, recording)
    assert message in reply.text and "waiting for staff" not in reply.text


def test_review_recordings_other_languages_are_not_the_translators(app, recorded_survey):
    translator = app.test_client()
    log_in(translator, "hmn@example.org")
    assert translator.get("/review/school-voices/ar/recordings").status_code == 403
