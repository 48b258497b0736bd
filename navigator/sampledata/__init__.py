"""The bundled sample dataset: realistic, invented programs for every municipality of Kuzbass.

`python -m navigator.sampledata data/programs.csv` regenerates data/programs.csv. The generator
needs only the standard library and shapely (points are kept inside their municipality), so it
runs without Flask or a database; see data/README.md for what the sample is and is not.
"""

from navigator.sampledata.generator import COLUMNS, DEFAULT_COUNT, generate_rows, write_csv

__all__ = ["COLUMNS", "DEFAULT_COUNT", "generate_rows", "write_csv"]
