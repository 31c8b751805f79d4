"""Spider tests share spiderkit.py (a local HTTP server, corpus readers, a test config)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
