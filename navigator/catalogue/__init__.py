"""The catalogue: the data model, its vocabularies and rules, the importer, reads and the record of changes."""
