"""Pictures beside a survey's questions and choices: an XLSForm with `image::<language>` columns,
loaded from a .zip with its files, re-encoded small and without metadata, stored and served."""
from __future__ import annotations

import io
import random

import pytest
from PIL import Image
from sqlalchemy import func, select

from survey_app import storage, surveys
from survey_app.extensions import db
from survey_app.models import MediaFile, Partner
from tests.conftest import PASSWORD, Respondent, csrf_token, log_in
from tests.media_surveys import LUNCH_FILES, LUNCH_FORM, lunch_zip
from tests.survey_app.conftest import IMAGE, LAZY
from tests.uploads import picture


def load(runner, tmp_path, files: dict[str, bytes]):
    archive = tmp_path / "school-lunch.zip"
    archive.write_bytes(lunch_zip(files))
    return runner.invoke(args=["load-survey", str(archive)])


def test_survey_images_zip_loads_and_pages_show_each_language_picture(app, runner, client, tmp_path):
    result = load(runner, tmp_path, LUNCH_FILES)
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["publish-survey", "school-lunch"]).exit_code == 0
    assert db.session.scalar(select(func.count()).select_from(MediaFile)) == 4

    respondent = Respondent(client, "school-lunch")
    english = IMAGE.findall(respondent.start("?lang=en").text)
    hmong = IMAGE.findall(client.get(respondent.path + "?lang=hmn").text)
    # The question's own picture in each language; the choices' plain `image` in both.
    assert [kind for kind, *_ in english] == ["question", "choice", "choice"]
    assert LAZY.findall(respondent.page.text) == ["question", "choice", "choice"]
    assert english[0][1] != hmong[0][1] and english[1:] == hmong[1:]
    # Every picture at most 800 px on its long side, its size as the page reserves it.
    assert [(int(w), int(h)) for _, _, w, h in english] == [(800, 600), (300, 200), (200, 200)]
    assert (int(hmong[0][2]), int(hmong[0][3])) == (533, 800)

    for _, source, width, height in english + hmong[:1]:
        served = client.get(source)
        assert served.status_code == 200 and served.mimetype == "image/webp"
        assert "immutable" in served.headers["Cache-Control"] and "Set-Cookie" not in served.headers
        with Image.open(io.BytesIO(served.data)) as image:
            assert image.format == "WEBP" and image.size == (int(width), int(height))
            assert not image.getexif() and "exif" not in image.info and "xmp" not in image.info
        assert len(served.data) < 120_000
    # The photo's GPS position and the phone's make are gone from what is served.
    photo = client.get(english[0][1]).data
    assert b"Exif" not in photo and b"PhoneMaker" not in photo
    assert LUNCH_FILES["lunch-en.jpg"].count(b"PhoneMaker") == 1


def test_survey_images_a_changed_picture_is_a_new_version_and_download_names_them(app, runner, client, tmp_path):
    assert load(runner, tmp_path, LUNCH_FILES).exit_code == 0
    out = tmp_path / "again.xlsx"
    assert runner.invoke(args=["download-survey", "school-lunch", "--out", str(out)]).exit_code == 0
    assert "unchanged, still version 1" in runner.invoke(args=["load-survey", str(out)]).output
    changed = load(runner, tmp_path, {**LUNCH_FILES, "rice.webp": picture("WEBP", (320, 200))})
    assert "version 2" in changed.output, changed.output


@pytest.mark.parametrize(("change", "message"), [
    ({"rice.webp": b"RIFF\0\0\0\0WEBPnot a picture"},
     'choices sheet, row 2, column "image": "rice.webp" could not be read as a picture'),
    ({"lunch-hmn.png": picture("PNG", (600, 900)) + random.Random(1).randbytes(5 * 1024 * 1024)},
     'survey sheet, row 2, column "image::Hmong (hmn)": "lunch-hmn.png" is larger than 5 MB'),
    ({"lunch-en.jpg": picture("TIFF", (100, 100))},
     'survey sheet, row 2, column "image::English (en)": "lunch-en.jpg" could not be read as a picture'),
    ({"soup.gif": None}, 'choices sheet, row 3, column "image": there is no file "soup.gif"'),
])
def test_survey_images_broken_oversized_or_missing_picture_is_refused_by_cell(app, runner, tmp_path, change,
                                                                             message):
    files = {name: content for name, content in {**LUNCH_FILES, **change}.items() if content is not None}
    result = load(runner, tmp_path, files)
    assert result.exit_code != 0 and message in result.output, result.output
    assert surveys.find_survey("school-lunch") is None
    assert db.session.scalar(select(func.count()).select_from(MediaFile)) == 0


def test_survey_images_staff_page_names_a_picture_of_another_kind(app, staff_client):
    form = LUNCH_FORM.replace("rice.webp", "rice.bmp")
    small = {name: picture(Image.open(io.BytesIO(content)).format, (80, 60)) for name, content in LUNCH_FILES.items()}
    token = csrf_token(staff_client.get("/staff/surveys").text)
    workbook = io.BytesIO(lunch_zip({**small, "rice.bmp": b"BM"}, form))
    reply = staff_client.post("/staff/surveys", data={"csrf_token": token, "workbook": (workbook, "school-lunch.zip")})
    assert reply.status_code == 200
    assert ("choices sheet, row 2, column &#34;image&#34;: &#34;rice.bmp&#34; is not a picture this service takes"
            in reply.text)
    assert surveys.find_survey("school-lunch") is None


def test_survey_images_video_is_still_refused(app, runner, tmp_path):
    form = LUNCH_FORM.replace("| image |", "| video |")
    archive = tmp_path / "school-lunch.zip"
    archive.write_bytes(lunch_zip(LUNCH_FILES, form))
    result = runner.invoke(args=["load-survey", str(archive)])
    assert result.exit_code != 0 and "video is not shown to respondents" in result.output, result.output


def test_survey_images_kiosk_shows_them_and_paper_form_leaves_them_out(app, runner, tmp_path):
    assert load(runner, tmp_path, LUNCH_FILES).exit_code == 0
    assert runner.invoke(args=["publish-survey", "school-lunch"]).exit_code == 0
    mira = db.session.scalar(select(Partner).where(Partner.code == "mira"))
    storage.create_user("mira@example.org", PASSWORD, "partner", mira)
    kiosk = app.test_client()
    log_in(kiosk, "mira@example.org")
    assert "<img" not in kiosk.get("/partner/surveys/school-lunch/paper/hmn").text
    start = kiosk.get("/partner/surveys/school-lunch/kiosk")
    kiosk.post("/partner/surveys/school-lunch/kiosk", data={"csrf_token": csrf_token(start.text)})
    shown = IMAGE.findall(Respondent(kiosk, "school-lunch").start("?lang=hmn").text)
    assert len(shown) == 3 and all(kiosk.get(source).mimetype == "image/webp" for _, source, *_ in shown)
