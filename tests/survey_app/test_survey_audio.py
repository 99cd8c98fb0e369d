"""Recordings beside a survey's texts: an XLSForm with `audio::<language>` columns, loaded from a
folder or a .zip with its files, converted, stored in the database and served with ranges."""
from __future__ import annotations

import io
import shutil
import zipfile

import pytest
from sqlalchemy import func, select

from survey_app import storage, surveys
from survey_app.extensions import db
from survey_app.models import MediaFile, Partner
from tests.conftest import PASSWORD, Respondent, csrf_token, log_in, tone
from tests.media_surveys import VOICES_FORM, voices_folder, voices_zip
from tests.survey_app.conftest import audio_sources

pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg is not installed (make ffmpeg)")


def publish(runner) -> None:
    assert runner.invoke(args=["publish-survey", "school-voices"]).exit_code == 0


def test_survey_audio_folder_loads_and_each_page_plays_its_language(app, runner, client, tmp_path, recordings):
    result = runner.invoke(args=["load-survey", str(voices_folder(tmp_path / "form", recordings))])
    assert result.exit_code == 0, result.output
    assert "loaded as version 1" in result.output
    publish(runner)
    # Seven files, each converted once and stored once.
    assert db.session.scalar(select(func.count()).select_from(MediaFile)) == 7

    welcome = client.get("/s/school-voices?lang=hmn")
    assert len(audio_sources(welcome.text)) == 1 and "Mloog" in welcome.text
    respondent = Respondent(client, "school-voices")
    page = respondent.start("?lang=hmn")
    hmong = audio_sources(page.text)
    # The question, its "yes" answer and the text question; "no" has no recording.
    assert len(hmong) == 3
    assert "listen.js" in page.text and "data-listen-page" in page.text
    arabic = audio_sources(client.get(respondent.path + "?lang=ar").text)
    assert len(arabic) == 2 and not set(arabic) & set(hmong)
    # Spanish has no recordings: the page is as it was, without the player or its script.
    english = client.get(respondent.path + "?lang=en").text
    assert audio_sources(english) == [] and "listen.js" not in english and "Listen" not in english

    for source in hmong + arabic:
        served = client.get(source)
        assert served.status_code == 200 and served.mimetype == "audio/mpeg"
        assert served.data[:3] == b"ID3" or served.data[0] == 0xFF
        assert "immutable" in served.headers["Cache-Control"] and served.headers["Accept-Ranges"] == "bytes"
        assert "Set-Cookie" not in served.headers
        part = client.get(source, headers={"Range": "bytes=100-199"})
        assert part.status_code == 206 and len(part.data) == 100 and part.data == served.data[100:200]
        assert part.headers["Content-Range"] == f"bytes 100-199/{len(served.data)}"
        assert client.get(source, headers={"If-None-Match": served.headers["ETag"]}).status_code == 304
    assert client.get(hmong[0], headers={"Range": "bytes=99999999-"}).status_code == 416


def test_survey_audio_zip_loads_from_the_command_line_and_the_staff_page(app, runner, staff_client, tmp_path,
                                                                         recordings):
    archive = tmp_path / "school-voices.zip"
    archive.write_bytes(voices_zip(recordings))
    result = runner.invoke(args=["load-survey", str(archive)])
    assert result.exit_code == 0, result.output
    token = csrf_token(staff_client.get("/staff/surveys").text)
    # The same form and recordings from the staff page: nothing changed, so no new version.
    reply = staff_client.post("/staff/surveys", data={
        "csrf_token": token, "workbook": (io.BytesIO(archive.read_bytes()), "school-voices.zip")},
        follow_redirects=True)
    assert reply.status_code == 200 and "the same as version 1" in reply.text
    # A different recording is a new version.
    changed = {**recordings, "yes-ar.mp3": tone("yes-ar.mp3", 990)}
    reply = staff_client.post("/staff/surveys", data={
        "csrf_token": csrf_token(staff_client.get("/staff/surveys").text),
        "workbook": (io.BytesIO(voices_zip(changed)), "school-voices.zip")}, follow_redirects=True)
    assert "Version 2 of school-voices was loaded" in reply.text


def test_survey_audio_staff_page_names_a_broken_recording_and_keeps_nothing(app, staff_client, recordings):
    broken = voices_zip({**recordings, "likes-ar.wav": b"RIFF not really a recording"})
    reply = staff_client.post("/staff/surveys", data={"csrf_token": csrf_token(staff_client.get("/staff/surveys").text),
                                                      "workbook": (io.BytesIO(broken), "school-voices.zip")})
    assert reply.status_code == 200
    assert ('survey sheet, row 3, column &#34;audio::Arabic (ar)&#34;: &#34;likes-ar.wav&#34; could not be read as a '
            "recording" in reply.text)
    assert surveys.find_survey("school-voices") is None
    assert db.session.scalar(select(func.count()).select_from(MediaFile)) == 0


def test_survey_audio_downloaded_form_loads_again_without_its_files(app, runner, tmp_path, recordings):
    runner.invoke(args=["load-survey", str(voices_folder(tmp_path / "form", recordings))])
    out = tmp_path / "again.xlsx"
    assert runner.invoke(args=["download-survey", "school-voices", "--out", str(out)]).exit_code == 0
    result = runner.invoke(args=["load-survey", str(out)])
    assert "unchanged, still version 1" in result.output, result.output


@pytest.mark.parametrize(("change", "message"), [
    ({"why-hmn.m4a": None}, 'survey sheet, row 4, column "audio::Hmong (hmn)": there is no file "why-hmn.m4a"'),
    ({"likes-ar.wav": b"RIFF not really a recording"},
     'survey sheet, row 3, column "audio::Arabic (ar)": "likes-ar.wav" could not be read as a recording'),
    ({"yes-hmn.mp3": b"\0" * (10 * 1024 * 1024 + 1)}, '"school-voices/yes-hmn.mp3" is larger than 10 MB'),
    ({"thanks-ar.ogg": None}, 'settings sheet, row 2, column "thanks_audio::ar": there is no file "thanks-ar.ogg"'),
])
def test_survey_audio_broken_or_oversized_file_is_refused_by_name(app, runner, tmp_path, recordings, change,
                                                                   message):
    files = {name: content for name, content in {**recordings, **change}.items() if content is not None}
    archive = tmp_path / "school-voices.zip"
    archive.write_bytes(voices_zip(files))
    result = runner.invoke(args=["load-survey", str(archive)])
    assert result.exit_code != 0 and message in result.output, result.output
    assert surveys.find_survey("school-voices") is None
    assert db.session.scalar(select(func.count()).select_from(MediaFile)) == 0


def test_survey_audio_a_long_recording_is_refused(app, runner, tmp_path, recordings):
    archive = tmp_path / "school-voices.zip"
    archive.write_bytes(voices_zip({**recordings, "why-hmn.m4a": tone("why-hmn.m4a", 500, seconds=181)}))
    result = runner.invoke(args=["load-survey", str(archive)])
    assert result.exit_code != 0 and '"why-hmn.m4a" is 181 seconds long' in result.output


@pytest.mark.parametrize(("entry", "message"), [
    ("../../evil.mp3", "a name that points outside the .zip"),
    ("/etc/evil.mp3", "a name that points outside the .zip"),
])
def test_survey_audio_zip_names_outside_the_zip_are_refused(app, runner, tmp_path, recordings, entry, message):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("school-voices.md", VOICES_FORM)
        archive.writestr(entry, b"x")
    path = tmp_path / "bad.zip"
    path.write_bytes(buffer.getvalue())
    result = runner.invoke(args=["load-survey", str(path)])
    assert result.exit_code != 0 and message in result.output


def test_survey_audio_zip_bomb_is_refused_before_unpacking(app, runner, tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("school-voices.md", VOICES_FORM)
        archive.writestr("yes-hmn.mp3", b"\0" * (5 * 1024 * 1024))
    path = tmp_path / "bomb.zip"
    path.write_bytes(buffer.getvalue())
    assert len(buffer.getvalue()) < 50_000
    result = runner.invoke(args=["load-survey", str(path)])
    assert result.exit_code != 0 and "it is not a form, a recording or a picture" in result.output


def test_survey_audio_unknown_media_name_is_not_found(app, client):
    assert client.get("/media/" + "0" * 64 + ".mp3").status_code == 404
    assert client.get("/media/../instance.mp3").status_code == 404


def test_survey_audio_recordings_are_kept_once_for_every_version(app, tmp_path, recordings):
    storage.store_media("a" * 64 + ".mp3", "audio/mpeg", b"one")
    storage.store_media("a" * 64 + ".mp3", "audio/mpeg", b"one")
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(MediaFile)) == 1


def test_survey_audio_kiosk_plays_and_paper_form_points_to_the_recordings(app, runner, tmp_path, recordings):
    runner.invoke(args=["load-survey", str(voices_folder(tmp_path / "form", recordings))])
    publish(runner)
    mira = db.session.scalar(select(Partner).where(Partner.code == "mira"))
    storage.create_user("mira@example.org", PASSWORD, "partner", mira)
    partner = app.test_client()
    log_in(partner, "mira@example.org")
    paper = partner.get("/partner/surveys/school-voices/paper/hmn").text
    assert "Koj kuj mloog tau daim ntawv nug no" in paper
    assert "/s/school-voices?ref=mira&amp;lang=hmn" in paper
    # Without recordings in English, the English paper form says nothing of them.
    assert "listen" not in partner.get("/partner/surveys/school-voices/paper/en").text.lower()

    kiosk = app.test_client()
    log_in(kiosk, "mira@example.org")
    start = kiosk.get("/partner/surveys/school-voices/kiosk")
    kiosk.post("/partner/surveys/school-voices/kiosk", data={"csrf_token": csrf_token(start.text)})
    page = Respondent(kiosk, "school-voices").start("?lang=ar")
    sources = audio_sources(page.text)
    assert len(sources) == 2 and all(kiosk.get(source).status_code == 200 for source in sources)
