from django.contrib import admin

from cities.models import City, Province, Region, RegionMembership


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ("code", "name_zh", "name_en")
    search_fields = ("code", "name_zh", "name_en")


@admin.register(City)
class CityAdmin(admin.ModelAdmin):
    list_display = ("code", "name_zh", "name_en", "province", "level", "latitude", "longitude", "population")
    list_filter = ("province", "level", "regions")
    search_fields = ("code", "name_zh", "name_en")
    list_select_related = ("province",)
    filter_horizontal = ("managers",)


class RegionMembershipInline(admin.TabularInline):
    model = RegionMembership
    extra = 0
    autocomplete_fields = ("city",)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name_zh", "name_en", "kind")
    list_filter = ("kind",)
    search_fields = ("code", "name_zh", "name_en")
    inlines = [RegionMembershipInline]
