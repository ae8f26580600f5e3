from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "screening"
    verbose_name = "Identification and screening"

    def ready(self) -> None:
        # The importers are pure parsers: their messages are translated through this hook.
        from django.utils.translation import gettext, ngettext

        from screening.identification.importers import text

        text.install(gettext, ngettext)
        # Each stage connects to the signals of the stages before it (see docs/architecture.md):
        # de-duplication after an import, assignments after de-duplication, conflicts and full
        # text after decisions, appraisal into the conflicts flow. Importing their services connects their receivers.
        # Each part of the workflow registers its navigation tabs and overview panels.
        from screening import navigation  # noqa: F401
        from screening.appraisal import service as _appraisal  # noqa: F401
        from screening.conflicts import service as _conflicts  # noqa: F401
        from screening.decisions import queues as _queues  # noqa: F401
        from screening.dedup import service as _dedup  # noqa: F401
        from screening.fulltext import service as _fulltext  # noqa: F401
        from screening.identification import filters as _filters  # noqa: F401
        from screening.identification import search as _search  # noqa: F401
