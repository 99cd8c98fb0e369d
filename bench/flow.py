"""A respondent walking the survey over HTTP, as a browser would: keeps the session cookie,
sends each page's CSRF token, answers one page at a time."""
from __future__ import annotations

import http.client
import re
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import urlencode

SLUG = "family-voices"
LANGUAGE = "es"
# One complete set of answers, a page at a time (a parent in Minnesota).
ANSWERS: tuple[dict[str, str | list[str]], ...] = (
    {"role": "parent", "state": "MN"},
    {"grade_bands": ["k5", "g6_8"], "child_el": "yes"},
    {"home_languages": ["so", "en"]},
    {"top_issues": ["language_access", "safety", "mental_health"]},
    {"school_communication": "2", "interpreter_offered": "sometimes", "one_change": "Más intérpretes, por favor."},
)
# The page measured: the survey's central question, sixteen issues to choose from.
TYPICAL_PAGE = 4
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@dataclass
class Answer:
    status: int
    location: str
    raw: bytes
    refresh: str = ""  # the Refresh header, on a page that asks to be loaded again

    @property
    def body(self) -> str:
        return self.raw.decode("utf-8", "replace")


class Respondent:
    def __init__(self, host: str, port: int, timeout_s: float = 30) -> None:
        self.connection = http.client.HTTPConnection(host, port, timeout=timeout_s)
        self.cookie = ""
        self.token = ""

    def close(self) -> None:
        self.connection.close()

    def request(self, method: str, path: str, form: dict | None = None) -> Answer:
        headers = {"Cookie": f"session={self.cookie}"} if self.cookie else {}
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        raw = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            # The cookie is marked Secure for production; a browser behind TLS would send it back.
            morsel = SimpleCookie(header).get("session")
            if morsel is not None:
                self.cookie = morsel.value
        answer = Answer(response.status, response.headers.get("Location", ""), raw,
                        response.headers.get("Refresh", ""))
        if "html" in response.headers.get("Content-Type", ""):
            found = CSRF.search(answer.body)
            if found:
                self.token = found.group(1)
        return answer

    def start(self, language: str = LANGUAGE) -> Answer:
        """Open the survey's link in `language` and press Start."""
        opened = self.request("GET", f"/s/{SLUG}?lang={language}")
        if opened.status != 200 or not self.token:
            raise RuntimeError(f"the start page answered {opened.status}")
        return self._expect_redirect(self.request("POST", f"/s/{SLUG}/start", {"csrf_token": self.token}))

    def answer(self, number: int, answers: dict) -> Answer:
        return self.request("POST", page_path(number), {"csrf_token": self.token, "action": "next", **answers})

    def reach(self, number: int, language: str = LANGUAGE) -> Answer:
        """Answer every page before `number`, then open it (which also gives its CSRF token)."""
        self.start(language)
        for page in range(1, number):
            self._expect_redirect(self.answer(page, ANSWERS[page - 1]))
        shown = self.request("GET", page_path(number))
        if shown.status != 200:
            raise RuntimeError(f"page {number} answered {shown.status}")
        return shown

    @staticmethod
    def _expect_redirect(answer: Answer) -> Answer:
        if answer.status != 302:
            raise RuntimeError(f"expected a redirect, got {answer.status}")
        return answer


def page_path(number: int) -> str:
    return f"/s/{SLUG}/{number}"


def last_page_form(token: str) -> dict:
    return {"csrf_token": token, "action": "next", **ANSWERS[-1]}
