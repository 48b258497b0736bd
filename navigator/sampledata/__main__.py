"""`python -m navigator.sampledata OUT.csv [--rows N] [--seed S]`: write a sample CSV."""

from __future__ import annotations

import argparse
from pathlib import Path

from navigator.sampledata.generator import DEFAULT_COUNT, write_csv


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m navigator.sampledata",
                                     description="Write the realistic sample of Kuzbass programs as CSV.")
    parser.add_argument("output", type=Path, help="CSV file to write, e.g. data/programs.csv")
    parser.add_argument("--rows", type=int, default=DEFAULT_COUNT, help=f"number of rows (default {DEFAULT_COUNT})")
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    arguments = parser.parse_args(argv)
    if arguments.rows < 0:
        parser.error("--rows must not be negative")
    written = write_csv(arguments.output, arguments.rows, arguments.seed)
    print(f"wrote {written} rows to {arguments.output}")


if __name__ == "__main__":
    main()
