"""The provider's cabinet: their own programs, the program form, quick edits and uploads."""
