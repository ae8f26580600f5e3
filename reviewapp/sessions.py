"""The database session store, its one read compiled once per process.

Every signed-in request reads its session row first; Django's store builds that SELECT with
the ORM each time (~0.5 ms of Python, the database's part a few microseconds). Here the
statement asks for the row by its key alone, compiled once (reviewapp.compiled), and the
expiry is checked on the row: an expired session is no session, as before. Writing, cycling
and clearing sessions are Django's own.
"""

from __future__ import annotations

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.utils import timezone

from .compiled import Compiled

_session = Compiled(lambda key: Session.objects.filter(session_key=key))


class SessionStore(db.SessionStore):
    def _get_session_from_db(self) -> Session | None:
        key = self.session_key
        session = _session.first(key) if isinstance(key, str) else None
        if session is None or session.expire_date <= timezone.now():
            self._session_key = None
            return None
        return session
