import sys

from tilbook.cli import run

sys.exit(run())
