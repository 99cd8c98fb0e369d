"""Comments: listed per state in their own language, filtered by issue, tagged and starred by
staff (stored and counted), and always escaped."""
from __future__ import annotations

import re

from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Answer, CommentNote
from tests.conftest import csrf_token
from tests.survey_app.report_fixtures import FORMULA, SLUG, XSS

PAYLOAD = "<script>alert('x')</script>"


def comment_id(text: str) -> int:
    return db.session.scalar(select(Answer.id).where(Answer.question == "one_change", Answer.value == text)
                             .order_by(Answer.id).limit(1))


def tag(client, answer_id: int, tags: list[str], star: bool, **args: str):
    page = client.get(f"/staff/comments/{SLUG}/MN")
    data = {"csrf_token": csrf_token(page.text), "tags": tags, "question": "one_change", **args}
    if star:
        data["star"] = "1"
    return client.post(f"/staff/comments/{SLUG}/MN/{answer_id}", data=data)


def test_staff_comments_listed_per_state_with_their_language(staff):
    html = staff.get(f"/staff/comments/{SLUG}/MN").text
    assert "3 comments" in html
    # The date is marked up to read left to right inside a right-to-left sentence too.
    assert re.search(r'Answered in Spanish on <time datetime="2026-10-05T[0-9:]+">2026-10-05</time>\.', html)
    assert re.search(r'Answered in Somali on <time datetime="2026-10-05T[0-9:]+">2026-10-05</time>\.', html)
    assert "TN-ONLY" not in html and "我们需要更多的翻译" not in html
    ny = staff.get(f"/staff/comments/{SLUG}/NY").text
    assert "我们需要更多的翻译。" in ny and "Answered in Chinese (Simplified)" in ny


def test_staff_comments_free_text_is_escaped(staff):
    html = staff.get(f"/staff/comments/{SLUG}/MN").text
    assert PAYLOAD not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Más intérpretes" in html
    assert FORMULA.replace("'", "&#39;") in html


def test_staff_comments_filter_by_issue_chosen(staff):
    html = staff.get(f"/staff/comments/{SLUG}/MN?issue=language_access").text
    assert "1 comment<" in html and "Más intérpretes" in html
    html = staff.get(f"/staff/comments/{SLUG}/MN?issue=safety").text
    assert "2 comments" in html and "Más intérpretes" not in html
    html = staff.get(f"/staff/comments/{SLUG}/MN?issue=not-an-issue").text
    assert "3 comments" in html


def test_staff_comments_tag_and_star_are_stored_and_counted(app, staff):
    answer_id = comment_id(XSS)
    reply = tag(staff, answer_id, ["language_access", "mental_health", "not-an-issue"], True, issue="safety")
    assert reply.status_code == 302
    assert reply.location.endswith(f"/staff/comments/{SLUG}/MN?question=one_change&issue=safety#comment-{answer_id}")
    note = db.session.get(CommentNote, answer_id)
    assert note.tags == ["language_access", "mental_health"] and note.starred
    html = staff.get(f"/staff/comments/{SLUG}/MN").text
    counts = html[html.index("Tagged comments per issue"):html.index("</table>", html.index("Tagged comments per"))]
    assert re.search(r"Interpreters and school information in my language</th><td class=\"numeric\">1<", counts)
    assert re.search(r"Safety at school, including fear of immigration enforcement</th><td class=\"numeric\">0<",
                     counts)
    assert re.search(r"Starred as quotable</th><td class=\"numeric\">1<", counts)
    starred = staff.get(f"/staff/comments/{SLUG}/MN?starred=1").text
    assert "1 comment<" in starred and "Más intérpretes" in starred


def test_staff_comments_untag_and_unstar(staff):
    answer_id = comment_id(XSS)
    tag(staff, answer_id, ["safety"], True)
    tag(staff, answer_id, [], False)
    note = db.session.get(CommentNote, answer_id)
    assert note.tags == [] and not note.starred


def test_staff_comments_tagging_needs_csrf_token(staff):
    answer_id = comment_id(XSS)
    reply = staff.post(f"/staff/comments/{SLUG}/MN/{answer_id}", data={"tags": ["safety"], "star": "1"})
    assert reply.status_code == 400
    assert db.session.get(CommentNote, answer_id) is None


def test_staff_comments_only_comments_of_that_state_can_be_tagged(staff):
    new_york = db.session.scalar(select(Answer.id).where(Answer.question == "one_change",
                                                         Answer.value == "我们需要更多的翻译。").limit(1))
    assert tag(staff, new_york, ["safety"], True).status_code == 404
    not_a_comment = db.session.scalar(select(Answer.id).where(Answer.question == "role").limit(1))
    assert tag(staff, not_a_comment, ["safety"], True).status_code == 404


def test_staff_comments_unknown_state_is_404(staff):
    assert staff.get(f"/staff/comments/{SLUG}/ZZ").status_code == 404


def test_staff_comments_answer_id_beyond_the_column_is_404(staff):
    assert tag(staff, 2**62, ["safety"], True).status_code == 404


def test_staff_comments_name_the_language_in_the_staff_members_own_language(app, staff):
    app.extensions["staff_languages"] = ("en", "es", "ar")
    home = staff.get("/staff/")
    staff.post("/account/language", data={"csrf_token": csrf_token(home.text), "language": "es"})
    html = staff.get(f"/staff/comments/{SLUG}/MN").text
    assert re.search(r'Respondió en somalí el <time datetime="2026-10-05T', html)
    assert "Somali" not in html
    staff.post("/account/language", data={"csrf_token": csrf_token(html), "language": "ar"})
    assert "الصومالية" in staff.get(f"/staff/comments/{SLUG}/MN").text
