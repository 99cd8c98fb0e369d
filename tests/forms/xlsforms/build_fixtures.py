"""Example XLSForms written the way ODK and KoboToolbox authors write them, cell by cell.

The tests build these into a temporary folder; the .xlsx copies next to this file are for
people to open. After changing a form here, rebuild them with
`.venv/bin/python tests/forms/xlsforms/build_fixtures.py`.
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook

Sheets = dict[str, list[list[Any]]]

# (a) English and Spanish, ODK-style `label::English (en)` headers, groups shown as pages,
# a numeric constraint, required messages, a `begin group` written with a space and a blank row.
HOUSEHOLD_INTAKE: Sheets = {
    "survey": [
        ["type", "name", "label::English (en)", "label::Español (es)", "hint::English (en)", "hint::Español (es)",
         "required", "relevant", "constraint", "constraint_message::English (en)",
         "constraint_message::Español (es)", "required_message::English (en)", "required_message::Español (es)",
         "appearance"],
        ["begin group", "household", "Your household", "Su hogar", None, None, None, None, None, None, None, None,
         None, "field-list"],
        ["integer", "children_count", "How many children under 18 live in your home?",
         "¿Cuántos niños menores de 18 años viven en su casa?", "Count every child, including babies.",
         "Cuente a todos los niños, también a los bebés.", "yes", None, ". >= 0 and . <= 20",
         "Enter a number from 0 to 20.", "Escriba un número del 0 al 20.", "Tell us how many children live with you.",
         "Díganos cuántos niños viven con usted."],
        ["select_one yes_no", "enrolled", "Are all of them enrolled in school?",
         "¿Están todos inscritos en la escuela?", None, None, "yes", "${children_count} > 0", None, None, None,
         "Choose yes or no.", "Elija sí o no."],
        ["end group"],
        [],
        ["begin_group", "contact", "Staying in touch", "Mantenernos en contacto"],
        ["select_one language", "preferred_language", "Which language should we use when we contact you?",
         "¿Qué idioma debemos usar para comunicarnos con usted?", None, None, "yes", None, None, None, None,
         "Choose a language.", "Elija un idioma."],
        ["text", "preferred_language_other", "Which other language?", "¿Qué otro idioma?", None, None, "yes",
         "${preferred_language} = 'other'", "string-length(.) <= 60", "Write 60 letters or fewer.",
         "Escriba 60 letras o menos.", "Write the name of the language.", "Escriba el nombre del idioma."],
        ["date", "arrival_date", "When did your family arrive in this state?",
         "¿Cuándo llegó su familia a este estado?", "An approximate date is fine.",
         "Una fecha aproximada está bien."],
        ["end_group"],
    ],
    "choices": [
        ["list_name", "name", "label::English (en)", "label::Español (es)"],
        ["yes_no", "yes", "Yes", "Sí"],
        ["yes_no", "no", "No", "No"],
        [],
        ["language", "en", "English", "Inglés"],
        ["language", "es", "Spanish", "Español"],
        ["language", "other", "Another language", "Otro idioma"],
    ],
    "settings": [
        ["form_title::English (en)", "form_title::Español (es)", "form_id", "version", "default_language"],
        ["Household intake", "Registro del hogar", "household-intake", 2025061501, "English (en)"],
    ],
}

# (b) English, Arabic and Somali; a note, and at most two answers to a select_multiple.
SCHOOL_FEEDBACK: Sheets = {
    "survey": [
        ["type", "name", "label::English (en)", "label::Arabic (ar)", "label::Somali (so)",
         "hint::English (en)", "hint::Arabic (ar)", "hint::Somali (so)", "required", "constraint",
         "constraint_message::English (en)", "constraint_message::Arabic (ar)", "constraint_message::Somali (so)"],
        ["note", "welcome", "Thank you for helping us improve our school.", "شكرًا لمساعدتنا في تحسين مدرستنا.",
         "Waad ku mahadsan tahay inaad naga caawiso horumarinta dugsigayaga."],
        ["select_one role", "role", "Are you a parent or a student?", "هل أنت وليّ أمر أم طالب؟",
         "Ma waxaad tahay waalid mise arday?", None, None, None, "yes"],
        ["select_multiple topic", "topics", "Which topics should the school work on first?",
         "ما المواضيع التي يجب أن تعمل عليها المدرسة أولًا؟", "Mawduucyadee ayuu dugsigu marka hore ka shaqeeyaa?",
         "Choose up to 2.", "اختر موضوعين على الأكثر.", "Dooro ugu badnaan 2.", "yes", "count-selected(.) <= 2",
         "Choose no more than 2 topics.", "لا تختر أكثر من موضوعين.", "Ha dooran wax ka badan 2 mawduuc."],
        ["select_one satisfaction", "satisfaction", "How happy are you with the school this year?",
         "ما مدى رضاك عن المدرسة هذا العام؟", "Intee in le'eg ayaad ku faraxsan tahay dugsiga sannadkan?"],
        ["text", "comments", "Is there anything else you want to tell the school?",
         "هل هناك شيء آخر تريد أن تخبر به المدرسة؟", "Ma jiraa wax kale oo aad rabto inaad u sheegto dugsiga?",
         None, None, None, None, "string-length(.) <= 500", "Write 500 letters or fewer.",
         "اكتب 500 حرف أو أقل.", "Qor 500 xaraf ama ka yar."],
    ],
    "choices": [
        ["list_name", "name", "label::English (en)", "label::Arabic (ar)", "label::Somali (so)"],
        ["role", "parent", "Parent", "وليّ أمر", "Waalid"],
        ["role", "student", "Student", "طالب", "Arday"],
        ["topic", "homework", "Homework help", "المساعدة في الواجبات المنزلية", "Caawinta casharrada guriga"],
        ["topic", "safety", "Safety", "السلامة", "Badbaadada"],
        ["topic", "interpreters", "Interpreters at meetings", "مترجمون في الاجتماعات", "Turjubaano shirarka"],
        ["topic", "meals", "School meals", "وجبات المدرسة", "Cuntada dugsiga"],
        ["topic", "bus", "School bus", "الحافلة المدرسية", "Baska dugsiga"],
        # Typed as numbers, as spreadsheet users do; they are read as the codes "3", "2", "1".
        ["satisfaction", 3, "Happy", "راضٍ", "Faraxsan"],
        ["satisfaction", 2, "Not sure", "لست متأكدًا", "Ma hubo"],
        ["satisfaction", 1, "Unhappy", "غير راضٍ", "Aan faraxsanayn"],
    ],
    "settings": [
        ["form_title::English (en)", "form_title::Arabic (ar)", "form_title::Somali (so)", "form_id",
         "default_language", "style"],
        ["School feedback", "رأيك في المدرسة", "Ra'yiga dugsiga", "school-feedback", "en", "pages"],
    ],
}

# (c) No translations: plain `label` and `hint`, no default_language, and the cell types a
# spreadsheet produces on its own: TRUE for required, a date for the version, numbers as codes.
COMMUNITY_MEETING: Sheets = {
    "survey": [
        ["type", "name", "label", "hint ", "required", "relevant", "constraint"],
        ["select_one meeting", "meeting", "Which meeting did you come to?", None, True],
        ["integer", "guests", "How many people came with you?", "Do not count yourself.", False, None,
         ". >= 0 and . <= 10"],
        ["decimal", "miles", "How far did you travel, in miles?", "An estimate is fine.", None, None, ". >= 0"],
        ["select_one rating", "rating", "How useful was the meeting?", None, True],
        ["text", "improve", "What would make the next meeting better?", None, None, "${rating} <= 3"],
    ],
    "choices": [
        ["list name", "name", "label"],
        ["meeting", "library", "At the library"],
        ["meeting", "school", "At the school"],
        ["meeting", "online", "Online"],
        ["rating", 5, "Very useful"],
        ["rating", 4, "Useful"],
        ["rating", 3, "Somewhat useful"],
        ["rating", 2, "Not very useful"],
        ["rating", 1, "Not useful at all"],
    ],
    "settings": [
        ["form_title", "form_id", "version"],
        ["Community meeting feedback", "community-meeting", datetime(2025, 3, 1)],
    ],
}

FORMS: dict[str, Sheets] = {
    "household-intake": HOUSEHOLD_INTAKE,
    "school-feedback": SCHOOL_FEEDBACK,
    "community-meeting": COMMUNITY_MEETING,
}


def write_workbook(sheets: Sheets, path: Path) -> Path:
    """Write each sheet's rows as given; an empty row stays empty."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        worksheet = workbook.create_sheet(title)
        for number, row in enumerate(rows, start=1):
            for column, value in enumerate(row, start=1):
                if value is not None:
                    worksheet.cell(number, column, value)
    workbook.save(path)
    return path


def build(directory: Path) -> dict[str, Path]:
    return {name: write_workbook(sheets, directory / f"{name}.xlsx") for name, sheets in FORMS.items()}


if __name__ == "__main__":
    for path in build(Path(__file__).resolve().parent).values():
        print(f"Wrote {path}")
