"""Every part's tables, for what needs the whole schema: the migrations, the app's database, schema checks.

Each part keeps its tables in its own models module; a part's tables may refer to a lower part's (accounts
and enrollment to the catalogue's), never to a higher one's. Importing this module registers all of them on
navigator.db.Base.metadata, so that the metadata is complete and every mapper can be configured.
"""

from __future__ import annotations

from navigator.accounts import models as accounts
from navigator.catalogue import models as catalogue
from navigator.db import Base
from navigator.enrollment import models as enrollment
from navigator.geocoding import models as geocoding

#: The whole schema: what `navigator init-db` migrates to and what the migration test compares against.
metadata = Base.metadata

__all__ = ["accounts", "catalogue", "enrollment", "geocoding", "metadata"]
