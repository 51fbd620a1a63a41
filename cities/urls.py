from django.urls import path

from cities import views, views_network

app_name = "cities"
urlpatterns = [
    path("regions/", views.region_list, name="region_list"),
    path("regions/<slug:code>/", views.region_detail, name="region_detail"),
    path("regions/<slug:code>/network/", views_network.region_network, name="region_network"),
    path("agreements/", views_network.agreement_list, name="agreement_list"),
    path("agreements/<slug:key>/", views_network.agreement_detail, name="agreement_detail"),
    path("cities/", views.city_list, name="city_list"),
    path("cities/<str:code>/", views.city_detail, name="city_detail"),
]
