"""What the Content-Security-Policy of a page allows, and what in its HTML would break it.

The policy (config/settings/base.py SECURE_CSP) allows scripts and styles from
this app or carrying the page's nonce; no 'unsafe-inline', so inline event
handlers, ``style=`` attributes and ``javascript:`` URLs are all blocked by the
browser and must not be in the HTML at all.
"""

import re
from html.parser import HTMLParser

DATA_BLOCK_TYPES = {"application/json", "application/ld+json"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "poster"}


def policy_of(response) -> dict[str, list[str]]:
    header = response.get("Content-Security-Policy", "")
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def _nonce(sources: list[str]) -> str | None:
    for source in sources:
        match = re.fullmatch(r"'nonce-([^']+)'", source)
        if match:
            return match.group(1)
    return None


def _same_origin(url: str) -> bool:
    return url.startswith("/") and not url.startswith("//")


class _Checker(HTMLParser):
    def __init__(self, script_nonce: str | None, style_nonce: str | None, style_attributes_allowed: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.script_nonce, self.style_nonce = script_nonce, style_nonce
        self.style_attributes_allowed = style_attributes_allowed
        self.problems: list[str] = []
        self._open_script: dict | None = None
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        where = f"<{tag} {' '.join(f'{k}={v!r}' for k, v in list(values.items())[:3])}>"
        for name, value in values.items():
            if name.startswith("on"):
                self.problems.append(f"inline event handler {name}= in {where}")
            if name == "style" and not self.style_attributes_allowed:
                self.problems.append(f"style= attribute (blocked by style-src) in {where}")
            if name in URL_ATTRIBUTES and value.strip().lower().startswith("javascript:"):
                self.problems.append(f"javascript: URL in {where}")
        if tag == "script":
            self.scripts += 1
            kind = values.get("type", "").lower()
            data_block = kind in DATA_BLOCK_TYPES
            has_nonce = self.script_nonce is not None and values.get("nonce") == self.script_nonce
            src = values.get("src")
            if src is not None and not _same_origin(src):
                self.problems.append(f"script from another origin: {src}")
            if not data_block and not has_nonce and src is None:
                self.problems.append(f"inline script without the page's nonce: {where}")
            self._open_script = {"src": src, "nonce": has_nonce, "data": data_block, "text": ""}
        if tag == "style" and not (self.style_nonce and values.get("nonce") == self.style_nonce):
            self.problems.append(f"<style> without the page's nonce: {where}")
        if tag == "link" and "stylesheet" in values.get("rel", "").lower() and not _same_origin(values.get("href", "")):
            self.problems.append(f"stylesheet from another origin: {values.get('href')}")
        if tag in ("img", "iframe", "embed", "object", "audio", "video", "source") and values.get("src"):
            src = values["src"]
            if not (_same_origin(src) or src.startswith("data:")):
                self.problems.append(f"<{tag}> from another origin: {src}")

    def handle_data(self, data: str) -> None:
        if self._open_script is not None:
            self._open_script["text"] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._open_script is not None:
            script = self._open_script
            if script["src"] is not None and script["text"].strip() and not script["nonce"]:
                self.problems.append(f"script with src and inline code: {script['src']}")
            self._open_script = None


def csp_problems(response) -> list[str]:
    """Everything on this HTML page that the browser would block, or a missing/weak policy."""
    policy = policy_of(response)
    if not policy:
        return ["no Content-Security-Policy header"]
    problems = []
    script_sources = policy.get("script-src", policy.get("default-src", []))
    style_sources = policy.get("style-src", policy.get("default-src", []))
    for directive in ("script-src", "style-src"):
        if "'unsafe-inline'" in policy.get(directive, []) or "'unsafe-eval'" in policy.get(directive, []):
            problems.append(f"{directive} allows unsafe-inline/unsafe-eval")
    script_nonce = _nonce(script_sources)
    if script_nonce is None:
        problems.append("script-src has no nonce")
    checker = _Checker(script_nonce, _nonce(style_sources), "'unsafe-inline'" in style_sources)
    checker.feed(response.content.decode("utf-8", errors="replace"))
    checker.close()
    return problems + checker.problems


def is_html(response) -> bool:
    return response.get("Content-Type", "").startswith("text/html") and bool(response.content)


class _FormChecker(HTMLParser):
    """POST forms that carry no CSRF token (Django's hidden csrfmiddlewaretoken input)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.missing: list[str] = []
        self._form: dict | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form":
            self._form = {
                "post": values.get("method", "get").lower() == "post",
                "action": values.get("action", ""),
                "token": False,
            }
        elif (
            tag == "input"
            and self._form is not None
            and values.get("name") == "csrfmiddlewaretoken"
            and values.get("value")
        ):
            self._form["token"] = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._form is not None:
            if self._form["post"] and not self._form["token"]:
                self.missing.append(self._form["action"] or "(this page)")
            self._form = None


def post_forms_without_token(response) -> list[str]:
    checker = _FormChecker()
    checker.feed(response.content.decode("utf-8", errors="replace"))
    checker.close()
    return checker.missing
