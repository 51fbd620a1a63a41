from django.urls import path

from cities.views import agreements, network, reference

app_name = "cities"
urlpatterns = [
    path("regions/", reference.region_list, name="region_list"),
    path("regions/<slug:code>/", reference.region_detail, name="region_detail"),
    path("regions/<slug:code>/network/", network.region_network, name="region_network"),
    path("agreements/", agreements.agreement_list, name="agreement_list"),
    path("agreements/<slug:key>/", agreements.agreement_detail, name="agreement_detail"),
    path("cities/", reference.city_list, name="city_list"),
    path("cities/<str:code>/", reference.city_detail, name="city_detail"),
]
