"""Enrollment: parents' applications to programs, the transparent queue, and the care of their personal data.

No Flask here: views pass in the session, the sealer (navigator.enrollment.sealing) and the settings.
models (tables), intake (checking a form), queue (states and places), action (where a program page's
«Записаться» leads), notices (the e-mails' texts for parents), statistics (counts for staff, the access log),
retention (purge and key rotation). The routes are navigator.views.enrollment; the pages templates/enrollment/.
"""
