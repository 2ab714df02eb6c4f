"""`python -m nianbao.cli`: the command line, as the `nianbao` command runs it."""
import sys

from . import main

sys.exit(main())
