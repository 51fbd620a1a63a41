from django.urls import path

from cities import views

app_name = "cities"
urlpatterns = [
    path("regions/", views.region_list, name="region_list"),
    path("regions/<slug:code>/", views.region_detail, name="region_detail"),
    path("cities/", views.city_list, name="city_list"),
    path("cities/<str:code>/", views.city_detail, name="city_detail"),
]
