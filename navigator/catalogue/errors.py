"""Errors shared by several parts, kept low so that no part imports a higher one to raise them."""

from __future__ import annotations


class BadRequest(ValueError):
    """A parameter has a value the search cannot use; the message says which and why, in Russian."""

    def __init__(self, parameter: str, message: str):
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter
        self.message = message


class NotInCatalogue(BadRequest):
    """A well-formed value naming what the catalogue does not have (a municipality, district, organization or
    place): the API answers 404, as it does for an unknown program or place; a page drops the filter."""
