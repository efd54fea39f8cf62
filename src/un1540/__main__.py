"""`python -m un1540` runs the command line."""

from un1540.cli import main

main()
