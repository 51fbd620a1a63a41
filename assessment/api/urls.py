"""The read API's URLs, mounted at /api/v1/ by config/urls.py.

`LoginRequiredMiddleware` would send anonymous API clients to the login
page; the API answers them itself with a 401 JSON, so its views are exempt
(ninja's session auth still refuses them; the schema stays public).
"""

from django.contrib.auth.decorators import login_not_required
from django.urls import path

from assessment.api.endpoints import api

_patterns, _app_name, _namespace = api.urls
for _pattern in _patterns:
    _pattern.callback = login_not_required(_pattern.callback)

# Namespace "api": reverse("api:region_list"), reverse("api:openapi-json").
urlpatterns = [path("", (_patterns, _app_name, _namespace))]
