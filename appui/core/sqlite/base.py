"""The embedded SQLite backend, with the real bound on query parameters.

Django 5.2 assumes SQLite's historical limit of 999 parameters per query and splits every bulk
insert into batches of 999 // columns rows (76 access-log rows). SQLite ≥ 3.32 allows 32 766 and
the library reports its own limit, so one page's access-log rows go in one insert as on
PostgreSQL, instead of one insert per 76 rows.
"""

import sqlite3

from django.db.backends.sqlite3 import base, features
from django.utils.functional import cached_property


class DatabaseFeatures(features.DatabaseFeatures):
    @cached_property
    def max_query_params(self):
        self.connection.ensure_connection()
        return self.connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)


class DatabaseWrapper(base.DatabaseWrapper):
    features_class = DatabaseFeatures
