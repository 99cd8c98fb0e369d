"""A brief in Arabic and in Karen, opened in Chromium: every Arabic and Karen text on it is
drawn with real glyphs (no empty boxes), and a screenshot of each is kept for a person to look at."""
from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
from sqlalchemy import select

SLUG = "family-voices"
# What the first lever on some issues provides, translated (drafts, like the catalogs).
LEVERS = {
    "language_access": {
        "ar": "معلومات للأهل بصيغة، وبقدر الإمكان بلغة، يستطيعون فهمها",
        "ksw": "တၢ်ဂ့ၢ်တၢ်ကျိၤ လၢ မိၢ်ပၢ် အဂီၢ် လၢ ကျိာ် လၢအဝဲသ့ၣ် နာ်ပၢၢ်သ့ ဖဲ အမၤန့ၢ်သ့အခါ"},
    "family_engagement": {
        "ar": "سياسات لإشراك العائلات، ومواثيق، وتشاور حقيقي؛ ويشجّع الباب الثالث مشاركة العائلات؛ وتتشاور الولايات "
              "مع المعنيين عند كتابة خططها",
        "ksw": "ဟံၣ်ဖိဃီဖိ အတၢ်နုာ်လီၤမၤသကိး အတၢ်ဘျၢလိာ်, တၢ်အာၣ်လီၤအီလီၤ ဒီး တၢ်ကိးကွၢ်ယုထံၣ်ကူၣ်; Title III "
               "မၤထီၣ်ဂၢၢ် ဟံၣ်ဖိဃီဖိ အတၢ်နုာ်လီၤ; ကီၢ်စဲၣ်စိာ်သ့ၣ် ကိးကွၢ်ယုထံၣ်ကူၣ် ပှၤဘၣ်ထွဲ ဖဲ အကွဲးတၢ်ရဲၣ်တၢ်ကျဲၤ အခါ"},
    "prek_access": {
        "ar": "يمكن أن تدعم أموال الباب الأول التعليم قبل المدرسي؛ ويذكر الباب الثالث معلمي ما قبل المدرسة بين من "
              "يستفيدون من التطوير المهني",
        "ksw": "Title I အစ့ ဆီၣ်ထွဲ ကၠိဆံးဖိ သ့; Title III ယၢၢ်ဖျါ ကၠိဆံးဖိ သရၣ်သ့ၣ် လၢ ပှၤလၢအဒိးန့ၢ် တၢ်သိၣ်လိ "
               "ဖံးတၢ်မၤ အပူၤ"},
    "teacher_preparation": {
        "ar": "توفّر المنح الفرعية تطويرًا مهنيًا فعّالًا لمعلمي متعلمي اللغة الإنجليزية",
        "ksw": "စ့ဆီၣ်ထွဲ ဆံးဆံးဖိ ဟ့ၣ် တၢ်သိၣ်လိ ဖံးတၢ်မၤ လၢအဘၣ်ပြၢၤ လၢ သရၣ် လၢအသိၣ်လိ ကၠိဖိ "
               "လၢအမၤလိ အဲကလံးကျိာ်"},
}

# For every element marked with the language: its letters measured one by one in the element's
# own font, beside the width of a character no font has (U+0378, unassigned), which Chromium
# draws as the empty box. A script without a font gives every letter that same width. Private-use
# characters count as letters, so that a control made of them shows the measure finds boxes.
TOFU = """
([language]) => {
  const canvas = document.createElement("canvas").getContext("2d");
  const found = [];
  for (const element of document.querySelectorAll(`[lang="${language}"]`)) {
    if (element === document.documentElement || !element.innerText.trim()) continue;
    const style = getComputedStyle(element);
    canvas.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const box = canvas.measureText("\\u0378").width;
    const letters = [...element.innerText].filter(c => /[\\p{L}\\p{Co}]/u.test(c));
    const boxes = letters.filter(c => Math.abs(canvas.measureText(c).width - box) < 0.01).length;
    found.push({text: element.innerText.slice(0, 60), letters: letters.length, boxes: boxes,
                width: element.getBoundingClientRect().width});
  }
  return found;
}
"""


@pytest.fixture(scope="module")
def brief_state(live_server):
    """The state with the most demo responses, a date there, and levers translated."""
    from survey_app import storage
    from survey_app.extensions import db
    from survey_app.models import PolicyLever, User

    states = Counter(response["answers"].get("state", [""])[0] for response in live_server.responses().values())
    state = next(code for code, _count in states.most_common() if len(code) == 2)
    with live_server.app.app_context():
        try:
            staff = db.session.scalar(select(User).where(User.email == live_server.accounts["staff"][0]))
            for issue, texts in LEVERS.items():
                lever = db.session.scalar(select(PolicyLever).where(PolicyLever.issue == issue)
                                          .order_by(PolicyLever.id))
                for language, text in texts.items():
                    storage.save_policy_text(f"lever:{lever.id}", language, text, lever.provides, None)
            entry = storage.add_advocacy_date({"state_code": state, "starts_on": date.today() + timedelta(days=7),
                                               "kind": "board_meeting", "title": "State board of education",
                                               "issues": []}, staff)
            return state, entry.id
        finally:
            db.session.remove()


@pytest.mark.parametrize("language", ["ar", "ksw"])
def test_brief_draws_every_script(language, new_context, logged_in, screenshots, live_server, brief_state, figures):
    state, date_id = brief_state
    page = new_context(viewport={"width": 1280, "height": 800}, is_mobile=False, has_touch=False).new_page()
    logged_in(page, "staff")
    answer = page.goto(live_server.url(f"/staff/briefs/{SLUG}/{state}/{date_id}?language={language}"))
    assert answer.status == 200
    page.evaluate("document.fonts.ready")
    screenshots.take(page, f"brief-{language}")
    # After the screenshot, a control of private-use characters that no font draws.
    page.evaluate("document.body.insertAdjacentHTML('beforeend', "
                  "'<p lang=\"x-control\">\\ue000\\ue001\\ue002\\ue003</p>')")
    control = page.evaluate(TOFU, ["x-control"])
    assert control and control[0]["boxes"] == control[0]["letters"] == 4, f"the measure does not see boxes: {control}"
    measured = page.evaluate(TOFU, [language])
    figures[f"brief_{language}_texts"] = measured
    assert measured, f"nothing on the brief is marked lang={language}"
    translated = [texts[language][:20] for texts in LEVERS.values()]
    assert any(text in item["text"] for item in measured for text in translated), "no translated lever is shown"
    for item in measured:
        assert item["letters"] and item["width"] > 0, item
        # A real glyph may happen to be as wide as the box; a missing font makes every letter so.
        assert item["boxes"] <= item["letters"] // 5, f"drawn as empty boxes: {item}"
