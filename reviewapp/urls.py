from __future__ import annotations

from django.urls import include, path

from . import export_views, views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("accounts/profile/", views.profile, name="profile"),
    path("language/", views.set_language, name="set_language"),
    path("accounts/", include("allauth.urls")),
    path("reviews/new/", views.review_new, name="review_new"),
    path("invitations/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("r/<slug:slug>/", views.review_overview, name="review_overview"),
    path("r/<slug:slug>/settings/", views.review_settings, name="review_settings"),
    path("r/<slug:slug>/criteria/", views.review_criteria, name="review_criteria"),
    path("r/<slug:slug>/reasons/", views.review_reasons, name="review_reasons"),
    path("r/<slug:slug>/team/", views.review_team, name="review_team"),
    path("r/<slug:slug>/team/<int:member_id>/roles/", views.member_roles, name="member_roles"),
    path("r/<slug:slug>/team/<int:member_id>/remove/", views.member_remove, name="member_remove"),
    path(
        "r/<slug:slug>/invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("r/<slug:slug>/audit/", views.audit_log, name="audit_log"),
    path("r/<slug:slug>/exports/<int:export_id>/", export_views.export_job, name="export_job"),
    path(
        "r/<slug:slug>/exports/<int:export_id>/download/",
        export_views.export_download,
        name="export_download",
    ),
    # Later stages mount their pages under the review.
    path("r/<slug:slug>/", include("screening.urls")),
    path("r/<slug:slug>/", include("coding.urls")),
    path("r/<slug:slug>/", include("synthesis.urls")),
    path("", include("api.urls")),
]
