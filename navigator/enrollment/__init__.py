"""Enrollment: parents' applications to programs, the transparent queue, and the care of their personal data.

No Flask here: views pass in the session, the sealer (navigator.enrollment.sealing) and the settings.
models (tables), intake (checking a form), queue (states and places), notices (e-mails to parents),
statistics (counts for staff, the access log), retention (purge and key rotation).
"""
