"""The static HTML report: one self-contained file, charts drawn as inline SVG."""

from detente.report.html import render_report, write_report

__all__ = ["render_report", "write_report"]
