"""Pages of this stage, mounted under /r/<slug>/ by reviewapp.urls."""

from __future__ import annotations

from django.urls import path

from synthesis import views

urlpatterns: list = [
    path("synthesis/", views.matrix, name="synthesis_matrix"),
    path("synthesis/matrix.csv", views.matrix_csv, name="synthesis_matrix_csv"),
    path("synthesis/excerpts/", views.excerpts, name="synthesis_excerpts"),
    path("synthesis/themes/", views.themes, name="synthesis_themes"),
    *(
        path(
            f"synthesis/themes.{fmt}",
            views.themes_export,
            {"fmt": fmt},
            name=f"synthesis_themes_{fmt}",
        )
        for fmt in ("md", "csv", "xlsx")
    ),
    path("synthesis/workbook.xlsx", views.workbook, name="synthesis_workbook"),
    path("synthesis/figure/", views.figure_page, name="synthesis_figure"),
    *(
        path(
            f"synthesis/figure.{fmt}",
            views.figure_download,
            {"fmt": fmt},
            name=f"synthesis_figure_{fmt}",
        )
        for fmt in ("svg", "png")
    ),
    path("synthesis/counts/", views.counts_page, name="synthesis_counts"),
    path("synthesis/compare/", views.compare, name="synthesis_compare"),
]
