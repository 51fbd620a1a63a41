"""Content-Security-Policy: a nonce on every page, and nothing in the HTML the policy would block.

Every page of every role is checked in test_permissions (the matrix walk runs
csp_problems on each HTML response); these tests cover what the walk cannot
see: the checker itself, the nonce changing per response, and the error pages.
"""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from accounts.roles import Role
from tests.security.csp import csp_problems, policy_of


class Page:
    """A stand-in response for the checker."""

    def __init__(self, html: str, policy: str = "script-src 'self' 'nonce-abc'; style-src 'self' 'nonce-abc'") -> None:
        self.content = html.encode()
        self._headers = {"Content-Security-Policy": policy, "Content-Type": "text/html"}

    def get(self, name: str, default: str = "") -> str:
        return self._headers.get(name, default)


@pytest.mark.parametrize(
    ("html", "problem"),
    [
        ("<script>alert(1)</script>", "inline script without the page's nonce"),
        ('<script nonce="wrong">alert(1)</script>', "inline script without the page's nonce"),
        ('<button onclick="go()">x</button>', "inline event handler onclick="),
        ('<div style="color:red">x</div>', "style= attribute"),
        ('<a href="javascript:alert(1)">x</a>', "javascript: URL"),
        ('<script src="https://cdn.example.com/x.js"></script>', "script from another origin"),
        ("<style>p{}</style>", "<style> without the page's nonce"),
        ('<img src="https://example.com/t.png">', "<img> from another origin"),
    ],
)
def test_the_checker_finds_what_the_browser_would_block(html, problem):
    problems = csp_problems(Page(f"<html><body>{html}</body></html>"))
    assert any(problem in found for found in problems), problems


def test_the_checker_accepts_a_clean_page():
    html = (
        '<script src="/static/a.js" nonce="abc"></script><script nonce="abc">x()</script>'
        '<script type="application/json" id="d">{}</script>'
    )
    assert csp_problems(Page(html)) == []


def test_a_missing_or_inline_allowing_policy_is_a_problem():
    assert csp_problems(Page("<p>x</p>", policy="")) == ["no Content-Security-Policy header"]
    assert "script-src allows unsafe-inline/unsafe-eval" in csp_problems(
        Page("<p>x</p>", policy="script-src 'self' 'unsafe-inline' 'nonce-a'")
    )


@pytest.mark.django_db
def test_the_nonce_is_in_the_header_and_on_the_scripts_and_changes_per_response(world, as_role):
    client = as_role(Role.CONSULTANT)
    nonces = []
    for _ in range(2):
        response = client.get(reverse("home"))
        nonce = next(
            source[len("'nonce-") : -1] for source in policy_of(response)["script-src"] if source.startswith("'nonce-")
        )
        html = response.content.decode()
        assert f'nonce="{nonce}"' in html
        assert csp_problems(response) == []
        nonces.append(nonce)
    assert nonces[0] != nonces[1]


@pytest.mark.django_db
def test_error_pages_carry_the_policy(world, as_role):
    client = as_role(Role.STAKEHOLDER)
    for response in (client.get("/no/such/page/"), client.get(reverse("assessment:assessment_list"))):
        assert response.status_code in (403, 404)
        assert csp_problems(response) == []


def test_the_server_error_page_has_nothing_the_policy_blocks():
    from django.middleware.csp import ContentSecurityPolicyMiddleware

    from assessment.views.pages import server_error

    request = RequestFactory().get("/")
    response = ContentSecurityPolicyMiddleware(lambda request: server_error(request))(request)
    problems = [problem for problem in csp_problems(response) if problem != "script-src has no nonce"]
    assert problems == []
