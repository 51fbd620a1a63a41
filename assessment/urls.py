from django.urls import path

from assessment.views import pages

app_name = "assessment"
urlpatterns = [
    path("frameworks/", pages.framework_list, name="framework_list"),
    path("frameworks/<slug:code>/<str:version>/", pages.framework_detail, name="framework_detail"),
]
