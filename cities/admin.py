from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from cities.models import Agreement, AgreementParty, City, CityPairFlow, Province, Region, RegionMembership


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


class AgreementPartyInline(admin.TabularInline):
    model = AgreementParty
    extra = 0
    min_num = 2
    autocomplete_fields = ("city",)


@admin.register(Agreement)
class AgreementAdmin(SimpleHistoryAdmin):
    list_display = (
        "key",
        "title_zh",
        "domain",
        "mode",
        "status",
        "region",
        "in_force_from",
        "expires_on",
        "is_demo",
    )
    list_filter = ("domain", "mode", "status", "region", "is_demo")
    search_fields = ("key", "title_zh", "title_en", "parties__name_zh", "parties__name_en", "parties__code")
    list_select_related = ("region",)
    date_hierarchy = "in_force_from"
    inlines = [AgreementPartyInline]


@admin.register(CityPairFlow)
class CityPairFlowAdmin(admin.ModelAdmin):
    list_display = ("origin", "destination", "year", "kind", "value", "unit", "is_demo")
    list_filter = ("year", "kind", "is_demo")
    search_fields = ("origin__code", "origin__name_zh", "destination__code", "destination__name_zh", "source")
    list_select_related = ("origin", "destination")
    autocomplete_fields = ("origin", "destination")
