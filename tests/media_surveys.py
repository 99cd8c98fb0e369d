"""Three small surveys with pictures or recordings, as staff load them: a .zip or a folder holding
the form (an XLSForm in Markdown) and its files.

    school-lunch   a picture beside a question and each choice, in English and Hmong
    park-day       pictures with the welcome and thank-you texts
    school-voices  recordings beside the texts, in Hmong and Arabic (the `recordings` fixture in conftest.py)
"""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

from tests.uploads import picture


def survey_zip(slug: str, form: str, files: dict[str, bytes], media: str = "media/") -> bytes:
    """A .zip holding the folder `slug`: the form `<slug>.md` and the files under `media`."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{slug}/{slug}.md", form)
        for name, content in files.items():
            archive.writestr(f"{slug}/{media}{name}", content)
    return buffer.getvalue()


def survey_folder(folder: Path, slug: str, form: str, files: dict[str, bytes]) -> Path:
    """`folder`, made to hold the form `<slug>.md` and the files in `media/`."""
    (folder / "media").mkdir(parents=True)
    (folder / f"{slug}.md").write_text(form, encoding="utf-8")
    for name, content in files.items():
        (folder / "media" / name).write_bytes(content)
    return folder


LUNCH_FORM = """\
| survey |
| | type | name | label::English (en) | label::Hmong (hmn) | image::English (en) | image::Hmong (hmn) |
| | select_one meal | lunch | What did your child eat at lunch? | Koj tus menyuam noj dab tsi tav su? | lunch-en.jpg | lunch-hmn.png |
| | text | why | Why? | Vim li cas? | | |
| choices |
| | list_name | name | label::English (en) | label::Hmong (hmn) | image |
| | meal | rice | Rice | Mov | rice.webp |
| | meal | soup | Soup | Kua zaub | soup.gif |
| settings |
| | form_id | form_title |
| | school-lunch | School lunch |
"""
LUNCH_FILES = {"lunch-en.jpg": picture("JPEG", gps=True), "lunch-hmn.png": picture("PNG", (600, 900)),
               "rice.webp": picture("WEBP", (300, 200)), "soup.gif": picture("GIF", (200, 200))}


def lunch_zip(files: dict[str, bytes], form: str = LUNCH_FORM) -> bytes:
    return survey_zip("school-lunch", form, files)


PARK_FORM = """\
| survey |
| | type | name | label::English (en) | label::Hmong (hmn) | label::Arabic (ar) |
| | text | why | Why? | Vim li cas? | لماذا؟ |
| settings |
| | form_id | form_title | description | description_image::English (en) | description_image::Hmong (hmn) | thanks_image |
| | park-day | Park day | A short survey. | welcome-en.jpg | welcome-hmn.png | thanks.webp |
"""
PARK_FILES = {"welcome-en.jpg": picture("JPEG", gps=True), "welcome-hmn.png": picture("PNG", (600, 900)),
              "thanks.webp": picture("WEBP", (400, 300))}


def park_zip(files: dict[str, bytes], form: str = PARK_FORM) -> bytes:
    return survey_zip("park-day", form, files)


def park_folder(folder: Path, files: dict[str, bytes], form: str = PARK_FORM) -> Path:
    return survey_folder(folder, "park-day", form, files)


VOICES_FORM = """\
| survey |
| | type | name | label::English (en) | label::Hmong (hmn) | label::Arabic (ar) | audio::Hmong (hmn) | audio::Arabic (ar) |
| | begin_group | school | School | Tsev kawm ntawv | المدرسة | | |
| | select_one yn | likes | Does your child like school? | Koj tus menyuam puas nyiam tsev kawm ntawv? | هل يحب طفلك المدرسة؟ | likes-hmn.ogg | likes-ar.wav |
| | text | why | Why? | Vim li cas? | لماذا؟ | why-hmn.m4a | |
| | end_group | | | | | | |
| choices |
| | list_name | name | label::English (en) | label::Hmong (hmn) | label::Arabic (ar) | audio::Hmong (hmn) | audio::Arabic (ar) |
| | yn | yes | Yes | Yog | نعم | yes-hmn.mp3 | yes-ar.mp3 |
| | yn | no | No | Tsis yog | لا | | |
| settings |
| | form_id | form_title | description | description_audio::Hmong (hmn) | thanks_audio::Arabic (ar) |
| | school-voices | School voices | A short survey. | welcome-hmn.mp3 | thanks-ar.ogg |
"""


def voices_zip(recordings: dict[str, bytes], form: str = VOICES_FORM) -> bytes:
    """The recordings beside the form in the .zip's folder, not in a `media/` folder under it."""
    return survey_zip("school-voices", form, recordings, media="")


def voices_folder(folder: Path, recordings: dict[str, bytes], form: str = VOICES_FORM) -> Path:
    return survey_folder(folder, "school-voices", form, recordings)
