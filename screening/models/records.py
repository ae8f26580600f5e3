"""Searches, import jobs, records and duplicate clusters."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from reviewapp.models import Review


class SourceType(models.TextChoices):
    DATABASE = "database", _("Database")
    REGISTER = "register", _("Register")
    WEBSITE = "website", _("Website")
    ORGANISATION = "organisation", _("Organisation")
    CITATION = "citation", _("Citation searching")

    @classmethod
    def other_methods(cls) -> list[str]:
        return [cls.WEBSITE, cls.ORGANISATION, cls.CITATION]


class Phase(models.TextChoices):
    INITIAL = "initial", _("Initial search")
    UPDATE = "update", _("Update")


class Search(models.Model):
    """One search run in one source; one or more export files are imported into it."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="searches")
    source = models.CharField(max_length=200, help_text=_("e.g. Web of Science, MEDLINE, Scopus"))
    source_type = models.CharField(
        max_length=20, choices=SourceType.choices, default=SourceType.DATABASE
    )
    date_run = models.DateField(null=True, blank=True)
    query = models.TextField(blank=True)
    phase = models.CharField(max_length=10, choices=Phase.choices, default=Phase.INITIAL)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["phase", "date_run", "id"]
        verbose_name_plural = "searches"
        constraints = [
            # What a record's one foreign key (search, review) points at on PostgreSQL (see
            # Record.review).
            models.UniqueConstraint(fields=["id", "review"], name="screening_search_id_review")
        ]

    def __str__(self) -> str:
        return f"{self.source} ({self.get_phase_display()})"


class ImportJob(models.Model):
    """An uploaded export file and the background job that turns it into records."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        # A CSV/XLSX whose header row we did not recognise waits for the person to map columns.
        MAPPING = "mapping", _("Waiting for column mapping")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="import_jobs")
    search = models.ForeignKey(Search, on_delete=models.CASCADE, related_name="import_jobs")
    file = models.FileField(upload_to="imports/%Y/%m/", max_length=300)
    original_name = models.CharField(max_length=300)
    size = models.BigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, db_index=True)
    requested_format = models.CharField(max_length=20, default="auto")
    # The text encoding the person chose ('' = detect it from the bytes).
    requested_encoding = models.CharField(max_length=40, blank=True)
    # Leave out the entries that cannot be read (listed in `skipped`) instead of refusing.
    skip_bad_entries = models.BooleanField(default=False)
    column_map = models.JSONField(default=dict, blank=True)
    # The header row of a CSV/XLSX, read by the task (never in the upload request), for the
    # column-mapping page.
    columns = models.JSONField(default=list, blank=True)
    # A file that ends inside a record imports its complete records (the cut one is dropped)
    # instead of being refused.
    allow_truncated = models.BooleanField(default=False)
    detected_format = models.CharField(max_length=20, blank=True)
    encoding = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveIntegerField(default=0, help_text="Bytes read so far")
    records_imported = models.PositiveIntegerField(default=0)
    warnings = models.JSONField(default=list, blank=True)  # [[line, message], ...]
    skipped = models.JSONField(default=list, blank=True)  # [[line, key, title, why], ...]
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return min(99, int(100 * self.progress / self.size)) if self.size else 0


class RecordQuerySet(models.QuerySet["Record"]):
    def canonical(self) -> RecordQuerySet:
        """One record per work: what goes to screening."""
        return self.filter(is_canonical=True)


class DuplicateCluster(models.Model):
    """Records that describe the same work. The canonical member is screened."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="duplicate_clusters")
    canonical = models.ForeignKey("Record", null=True, on_delete=models.SET_NULL, related_name="+")
    # Fields the merge filled on the canonical record, with their values before, so a split
    # restores everything: {"abstract": "", "doi": ""}.
    filled = models.JSONField(default=dict, blank=True)
    method = models.CharField(max_length=20, default="auto")  # auto | manual
    score = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Cluster {self.pk}"


class Record(models.Model):
    """One bibliographic record as exported by one search.

    Indexes are kept to those queries use: every row of an import updates each of them. The review
    has no index of its own (the two indexes below start with it); doi, pmid and year have none
    (migration 0018: no query used them), the cluster a partial one. Migration 0002 also stores
    raw/abstract cheaply on PostgreSQL (lz4, see there).
    On PostgreSQL, migrations 0009 and 0011 replace the two Meta indexes and `search`'s own with
    wider ones that start with the same columns, and add the search pages' indexes.
    """

    # The review is always the search's: on PostgreSQL one composite foreign key (search, review)
    # -> search (id, review) (migration 0017, DEFERRABLE INITIALLY DEFERRED like Django's keys)
    # checks both columns and that they agree, where the review's and the search's own keys
    # checked each row twice (an import's server CPU, issue 21). So the review has no key of its
    # own (db_constraint=False; Django still cascades a deleted review to its records), and the
    # search's key Django declares is, on PostgreSQL, that composite one. SQLite keeps the
    # search's plain key.
    review = models.ForeignKey(
        Review,
        on_delete=models.CASCADE,
        related_name="records",
        db_index=False,
        db_constraint=False,
    )
    search = models.ForeignKey(Search, on_delete=models.CASCADE, related_name="records")
    import_job = models.ForeignKey(
        ImportJob, null=True, blank=True, on_delete=models.CASCADE, related_name="records"
    )
    source_key = models.CharField(max_length=200, blank=True)
    title = models.TextField(blank=True)
    title_alt = models.TextField(
        blank=True, help_text=_("Parallel title, e.g. the English title of a Chinese record")
    )
    abstract = models.TextField(blank=True)
    authors = models.JSONField(default=list, blank=True)
    authors_alt = models.JSONField(default=list, blank=True)
    # No index of its own: a year filter is always within a review, and the planner reads the
    # review's facets index for it (migration 0018).
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    journal = models.TextField(blank=True)
    volume = models.CharField(max_length=60, blank=True)
    issue = models.CharField(max_length=60, blank=True)
    pages = models.CharField(max_length=60, blank=True)
    doi = models.CharField(max_length=255, blank=True)
    pmid = models.CharField(max_length=20, blank=True)
    other_ids = models.JSONField(default=dict, blank=True)
    keywords = models.JSONField(default=list, blank=True)
    language = models.CharField(max_length=60, blank=True)
    publication_type = models.CharField(max_length=120, blank=True)
    url = models.TextField(blank=True)
    raw = models.TextField(blank=True)
    line = models.PositiveIntegerField(null=True, blank=True, help_text="Line in the export file")
    # De-duplication: a record outside any cluster is its own canonical record.
    # Indexed only where set (Meta): an import writes NULL here, and every query on it is an
    # equality or IN (a cluster's members), which implies IS NOT NULL.
    cluster = models.ForeignKey(
        DuplicateCluster,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
        db_index=False,
    )
    is_canonical = models.BooleanField(default=True)
    # Random key for the default, per-reviewer-seeded screening order and for fast paging.
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RecordQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["review", "is_canonical", "id"]),
            models.Index(fields=["review", "search"]),
            models.Index(
                fields=["cluster"],
                name="screening_record_clustered",
                condition=models.Q(cluster__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.title[:80] or f"Record {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("record_detail", args=[self.review.slug, self.pk])

    @property
    def cluster_key(self) -> int:
        """What exports call cluster_id: the cluster's canonical record, else the record itself."""
        if self.cluster_id and self.cluster and self.cluster.canonical_id:
            return self.cluster.canonical_id
        return self.pk

    @property
    def authors_display(self) -> str:
        return authors_display(self.authors)


def authors_display(authors: list[str]) -> str:
    """A record's authors as pages show them (Record.authors_display; the records list's rows,
    read as tuples, call it with their authors)."""
    return "; ".join(authors)


class NotDuplicatePair(models.Model):
    """A person decided these two records are different works: never merge or ask again."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="not_duplicate_pairs")
    record_a = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="+")
    record_b = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["record_a", "record_b"], name="unique_not_duplicate_pair"
            )
        ]

    def __str__(self) -> str:
        return f"Not duplicates: {self.record_a_id} / {self.record_b_id}"


class OfRecordSearch(models.Model):
    """A row that hangs off one record (its status at a stage, its report) and keeps a copy of
    the record's search, so PRISMA's counts put these rows in their column without reading the
    record table (issue 21: with tens of thousands of works past title/abstract, looking up
    their searches read the whole review's record index).

    A record never changes search, so the copy taken when the row is created stays right; it is
    never written again. `save` takes it from the record when a caller did not; the paths that
    insert in bulk (the queues' statuses, a restored archive) pass it themselves, and the column
    is NOT NULL, so a path that forgets fails rather than counts wrong. The row goes with its
    record (the record's cascade), so deleting a search need not look for it a second time
    (DO_NOTHING; the constraint is checked at commit), and it needs no index of its own.
    """

    search = models.ForeignKey(
        Search, on_delete=models.DO_NOTHING, related_name="+", db_index=False, editable=False
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if self.search_id is None:
            record = self._state.fields_cache.get("record")
            self.search_id = (
                record.search_id
                if record is not None
                else Record.objects.values_list("search_id", flat=True).get(pk=self.record_id)
            )
        super().save(*args, **kwargs)
