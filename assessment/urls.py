from django.urls import path

from assessment.views import assessments, audit, campaigns, dashboards, evidence, frameworks, reports, workbook

app_name = "assessment"
urlpatterns = [
    path("dashboards/regions/<slug:code>/", dashboards.region_dashboard, name="region_dashboard"),
    path("dashboards/regions/<slug:code>/what-if.json", dashboards.region_what_if, name="region_what_if"),
    path("dashboards/regions/<slug:code>/data/<slug:chart>.<str:fmt>", dashboards.region_data, name="region_data"),
    path("dashboards/compare/", dashboards.compare, name="compare"),
    path("dashboards/compare/data/<slug:chart>.<str:fmt>", dashboards.compare_data, name="compare_data"),
    path("dashboards/cities/<str:code>/", dashboards.city_dashboard, name="city_dashboard"),
    path("dashboards/cities/<str:code>/data/<slug:chart>.<str:fmt>", dashboards.city_data, name="city_data"),
    path("audit/<slug:framework>/<str:version>/<slug:region>/", audit.region_audit_page, name="region_audit"),
    path("reports/", reports.report_list, name="report_list"),
    path("reports/request/", reports.report_request, name="report_request"),
    path("reports/<int:pk>/", reports.report_detail, name="report_detail"),
    path("reports/<int:pk>/status.json", reports.report_status, name="report_status"),
    path("reports/<int:pk>/download/", reports.report_download, name="report_download"),
    path("reports/<int:pk>/links/", reports.link_create, name="report_link_create"),
    path("reports/<int:pk>/links/<int:link_pk>/revoke/", reports.link_revoke, name="report_link_revoke"),
    path("frameworks/", frameworks.framework_list, name="framework_list"),
    path("frameworks/<slug:code>/<str:version>/", frameworks.framework_detail, name="framework_detail"),
    path("assessments/", assessments.assessment_list, name="assessment_list"),
    path("assessments/new/", assessments.assessment_new, name="assessment_new"),
    path("assessments/<int:pk>/", assessments.assessment_detail, name="assessment_detail"),
    path("campaigns/", campaigns.campaign_list, name="campaign_list"),
    path("campaigns/new/", campaigns.campaign_new, name="campaign_new"),
    path("campaigns/<int:pk>/", campaigns.campaign_board_page, name="campaign_board"),
    path("campaigns/<int:pk>/statistics/", campaigns.campaign_statistics, name="campaign_statistics"),
    path(
        "campaigns/<int:pk>/statistics/apply/",
        campaigns.campaign_statistics_apply,
        name="campaign_statistics_apply",
    ),
    path(
        "campaigns/<int:pk>/progress.<str:fmt>",
        campaigns.campaign_board_download,
        name="campaign_board_download",
    ),
    path("assessments/<int:pk>/dimensions/<str:code>/", assessments.dimension_form, name="dimension_form"),
    path("assessments/<int:pk>/responses/<int:response_pk>/", assessments.response_save, name="response_save"),
    path("assessments/<int:pk>/responses/<int:response_pk>/comments/", assessments.comment_add, name="comment_add"),
    path(
        "assessments/<int:pk>/comments/<int:comment_pk>/resolve/", assessments.comment_resolve, name="comment_resolve"
    ),
    path(
        "assessments/<int:pk>/transition/<slug:action>/",
        assessments.assessment_transition,
        name="assessment_transition",
    ),
    path("assessments/<int:pk>/history/", assessments.assessment_history, name="assessment_history"),
    path("assessments/<int:pk>/team/", assessments.assessment_team, name="assessment_team"),
    path("assessments/<int:pk>/responses/<int:response_pk>/evidence/", evidence.evidence_add, name="evidence_add"),
    path("evidence/<int:evidence_pk>/", evidence.evidence_download, name="evidence_download"),
    path("evidence/<int:evidence_pk>/remove/", evidence.evidence_remove, name="evidence_remove"),
    path("assessments/<int:pk>/workbook.xlsx", workbook.workbook_download, name="workbook_download"),
    path("assessments/<int:pk>/workbook/", workbook.workbook_upload, name="workbook_upload"),
    path("assessments/<int:pk>/workbook/apply/", workbook.workbook_apply, name="workbook_apply"),
]
