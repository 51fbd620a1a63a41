from django.urls import path

from assessment import views

app_name = "assessment"
urlpatterns = [
    path("frameworks/", views.framework_list, name="framework_list"),
    path("frameworks/<slug:code>/<str:version>/", views.framework_detail, name="framework_detail"),
]
