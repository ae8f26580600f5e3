"""Fixtures of the import tests: small RIS exports and uploads of them."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile


def ris(n: int, start: int = 0, title: str = "Clinician engagement in research") -> bytes:
    """A RIS export of n small, distinct records."""
    parts = []
    for i in range(start, start + n):
        parts.append(
            f"TY  - JOUR\nTI  - {title} {i}\nAU  - Smith, Jane\nAU  - Lee, K.\nPY  - {2000 + i % 25}\n"
            f"JO  - Medical Education\nDO  - 10.1000/test.{i}\nID  - R{i}\nER  - \n\n"
        )
    return "".join(parts).encode()


def upload(client, search, name: str, content: bytes, fmt: str = "auto"):
    return client.post(
        f"/r/{search.review.slug}/searches/{search.pk}/upload/",
        {"files": SimpleUploadedFile(name, content), "format": fmt},
    )
