"""Self-contained offline HTML reports built from simspam's tidy outputs."""

from simspam.report.html import Section, render_page, write_atomic
from simspam.report.run_report import build_run_report, write_run_report

__all__ = ["Section", "build_run_report", "render_page", "write_atomic", "write_run_report"]
