"""Enrollment's routes: parents' applications (parents: the form, the status page, withdrawal, «Мои заявки»)
and the provider's answers in the cabinet (providers), with what both share (support: the sealer, settings,
e-mails after commit) and what keeps a flood out (flood: the form's single-use stamp, the program's pace).

The rules and data are navigator.enrollment (no Flask); the templates are templates/enrollment/.
Each module makes its own blueprint; this package only lists them for the app factory.
"""

from __future__ import annotations

from navigator.views.enrollment import parents, providers

#: "enrollment" for parents (no sign-in), "enrollment_cabinet" under /provider behind the provider guard.
BLUEPRINTS = (parents.blueprint, providers.blueprint)
