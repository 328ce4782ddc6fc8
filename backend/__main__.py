"""python -m backend ...: see cli.py."""
from backend.cli import main

main()
