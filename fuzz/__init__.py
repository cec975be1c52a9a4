"""Fuzzing of detente's readers: the atheris harness (``readers.py``), its seed corpus and the
crashes it found (each one a regression test in ``tests/test_fuzz_read.py``)."""
