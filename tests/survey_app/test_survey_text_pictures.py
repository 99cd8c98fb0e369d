"""Pictures with the welcome and thank-you texts: the settings' `description_image::<language>` and
`thanks_image` columns, loaded from a .zip or a folder with their files, re-encoded as the questions'
pictures are, and shown on the welcome page and the thank-you page in each language."""
from __future__ import annotations

import io
import random

import openpyxl
import pytest
from PIL import Image
from sqlalchemy import func, select

from survey_app import storage, surveys
from survey_app.extensions import db
from survey_app.models import MediaFile, Partner
from survey_app.public import views
from tests.conftest import PASSWORD, Respondent, csrf_token, log_in
from tests.media_surveys import PARK_FILES, PARK_FORM, park_folder, park_zip
from tests.survey_app.conftest import IMAGE, LAZY
from tests.uploads import multipart, picture


def upload(client, files: dict[str, bytes], form: str = PARK_FORM):
    """The .zip sent from the staff page (built in memory: the test client would spool it to a file)."""
    body, content_type = multipart({"csrf_token": csrf_token(client.get("/staff/surveys").text)}, "workbook",
                                   park_zip(files, form), "park-day.zip")
    return client.post("/staff/surveys", data=body, content_type=content_type, follow_redirects=True)


def pictures(html: str) -> list[tuple[str, str, int, int]]:
    return [(kind, source, int(width), int(height)) for kind, source, width, height in IMAGE.findall(html)]


def welcome(client, lang: str) -> list[tuple[str, str, int, int]]:
    return pictures(client.get(f"/s/park-day?lang={lang}").text)


def thanks(client, lang: str) -> list[tuple[str, str, int, int]]:
    respondent = Respondent(client, "park-day")
    respondent.start(f"?lang={lang}")
    page = respondent.answer(why="Shade.")
    assert page.request.path == "/s/park-day/thanks", page.request.path
    return pictures(page.text)


def test_survey_text_pictures_zip_from_the_staff_page_shows_each_language_and_falls_back(app, staff_client):
    reply = upload(staff_client, PARK_FILES)
    assert "park-day was loaded as a draft (version 1)" in reply.text, reply.text
    assert db.session.scalar(select(func.count()).select_from(MediaFile)) == 3
    # The draft's preview shows the welcome picture above the questions, as families will see it.
    preview = staff_client.get("/staff/surveys/park-day/preview?lang=hmn").text
    assert [(kind, w, h) for kind, _, w, h in pictures(preview)] == [("text", 533, 800)]
    storage.set_survey_status(surveys.find_survey("park-day"), "open")
    visitor = app.test_client()

    english, hmong, arabic = (welcome(visitor, lang) for lang in ("en", "hmn", "ar"))
    assert [(kind, width, height) for kind, _, width, height in english] == [("text", 800, 600)]
    # Right under the title, the picture is fetched with the page, not when scrolled to.
    assert 'picture-text' in visitor.get("/s/park-day?lang=en").text
    assert LAZY.findall(visitor.get("/s/park-day?lang=en").text) == []
    assert [(kind, width, height) for kind, _, width, height in hmong] == [("text", 533, 800)]
    # Arabic has no picture of its own: the default language's is shown, as for a question.
    assert arabic == english and hmong[0][1] != english[0][1]
    # The thank-you picture has no language, so every language shows it.
    shown = [thanks(app.test_client(), lang) for lang in ("en", "hmn", "ar")]
    assert shown[0] == shown[1] == shown[2] and [(k, w, h) for k, _, w, h in shown[0]] == [("text", 400, 300)]

    for _, source, width, height in english + hmong + shown[0]:
        served = visitor.get(source)
        assert served.status_code == 200 and served.mimetype == "image/webp"
        with Image.open(io.BytesIO(served.data)) as image:
            assert image.format == "WEBP" and image.size == (width, height)
            assert not image.getexif() and "exif" not in image.info and "xmp" not in image.info
    # The photo's GPS position and the phone's make are not served.
    assert b"PhoneMaker" not in visitor.get(english[0][1]).data and b"PhoneMaker" in PARK_FILES["welcome-en.jpg"]


def test_survey_text_pictures_folder_loads_from_the_command_line(app, runner, client, tmp_path):
    result = runner.invoke(args=["load-survey", str(park_folder(tmp_path / "park-day", PARK_FILES))])
    assert result.exit_code == 0 and "loaded as version 1" in result.output, result.output
    assert runner.invoke(args=["publish-survey", "park-day"]).exit_code == 0
    assert len(welcome(client, "hmn")) == 1 and len(thanks(app.test_client(), "hmn")) == 1
    stored = db.session.scalars(select(MediaFile)).all()
    assert len(stored) == 3 and {file.content_type for file in stored} == {"image/webp"}
    assert all(b"PhoneMaker" not in file.data and b"Exif" not in file.data for file in stored)


@pytest.mark.parametrize(("change", "message"), [
    ({"welcome-hmn.png": b"\x89PNG\r\n\x1a\nnot a picture"},
     'settings sheet, row 2, column "description_image::Hmong (hmn)": "welcome-hmn.png" could not be read as a '
     "picture"),
    ({"welcome-en.jpg": picture("JPEG", (100, 100)) + random.Random(2).randbytes(5 * 1024 * 1024)},
     'settings sheet, row 2, column "description_image::English (en)": "welcome-en.jpg" is larger than 5 MB'),
    ({"thanks.webp": None}, 'settings sheet, row 2, column "thanks_image": there is no file "thanks.webp"'),
])
def test_survey_text_pictures_broken_oversized_or_missing_picture_is_refused_by_cell(app, runner, tmp_path, change,
                                                                                    message):
    files = {name: content for name, content in {**PARK_FILES, **change}.items() if content is not None}
    result = runner.invoke(args=["load-survey", str(park_folder(tmp_path / "park-day", files))])
    assert result.exit_code != 0 and message in result.output, result.output
    assert surveys.find_survey("park-day") is None
    assert db.session.scalar(select(func.count()).select_from(MediaFile)) == 0


def test_survey_text_pictures_staff_page_names_a_recording_in_a_picture_column(app, staff_client):
    reply = upload(staff_client, {**PARK_FILES, "thanks.mp3": b"ID3"}, PARK_FORM.replace("thanks.webp", "thanks.mp3"))
    assert ('settings sheet, row 2, column &#34;thanks_image&#34;: &#34;thanks.mp3&#34; is not a picture this '
            "service takes" in reply.text), reply.text
    assert surveys.find_survey("park-day") is None


def test_survey_text_pictures_download_keeps_them_and_loads_again_unchanged(app, runner, tmp_path):
    assert runner.invoke(args=["load-survey", str(park_folder(tmp_path / "park-day", PARK_FILES))]).exit_code == 0
    out = tmp_path / "again.xlsx"
    assert runner.invoke(args=["download-survey", "park-day", "--out", str(out)]).exit_code == 0
    header = [cell.value for cell in openpyxl.load_workbook(out)["settings"][1]]
    assert {"description_image::English (en)", "description_image::Hmong (hmn)", "thanks_image::English (en)"} <= set(
        header), header
    assert "unchanged, still version 1" in runner.invoke(args=["load-survey", str(out)]).output


def test_survey_text_pictures_a_new_picture_is_a_new_version_and_the_welcome_page_shows_it(app, runner, client,
                                                                                         tmp_path, monkeypatch):
    renders: list[str] = []
    original = views.render_template
    monkeypatch.setattr(views, "render_template", lambda name, **context: renders.append(name) or original(
        name, **context))
    assert runner.invoke(args=["load-survey", str(park_folder(tmp_path / "one", PARK_FILES))]).exit_code == 0
    assert runner.invoke(args=["publish-survey", "park-day"]).exit_code == 0
    before = welcome(client, "en")
    assert welcome(client, "en") == before and renders == ["public/start.html"]  # the second from the page cache
    changed = runner.invoke(args=["load-survey", str(park_folder(
        tmp_path / "two", {**PARK_FILES, "welcome-en.jpg": picture("JPEG", (640, 480))}))])
    assert "version 2" in changed.output, changed.output
    assert runner.invoke(args=["publish-survey", "park-day"]).exit_code == 0
    after = welcome(client, "en")
    assert renders.count("public/start.html") == 2 and after != before and [(w, h) for _, _, w, h in after] == [(640, 480)]
    assert welcome(client, "hmn")[0][1] != after[0][1]


def test_survey_text_pictures_kiosk_shows_them_and_paper_form_leaves_them_out(app, runner, tmp_path):
    assert runner.invoke(args=["load-survey", str(park_folder(tmp_path / "park-day", PARK_FILES))]).exit_code == 0
    assert runner.invoke(args=["publish-survey", "park-day"]).exit_code == 0
    mira = db.session.scalar(select(Partner).where(Partner.code == "mira"))
    storage.create_user("mira@example.org", PASSWORD, "partner", mira)
    kiosk = app.test_client()
    log_in(kiosk, "mira@example.org")
    assert "<img" not in kiosk.get("/partner/surveys/park-day/paper/hmn").text
    start = kiosk.get("/partner/surveys/park-day/kiosk")
    kiosk.post("/partner/surveys/park-day/kiosk", data={"csrf_token": csrf_token(start.text)})
    assert [(w, h) for _, _, w, h in welcome(kiosk, "hmn")] == [(533, 800)]
    shown = thanks(kiosk, "hmn")
    assert [(w, h) for _, _, w, h in shown] == [(400, 300)] and kiosk.get(shown[0][1]).mimetype == "image/webp"
