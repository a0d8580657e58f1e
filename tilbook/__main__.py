import sys

from tilbook.cli import main

sys.exit(main())
