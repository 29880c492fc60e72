import sys

from sqeeze.backup.cli import main

sys.exit(main())
