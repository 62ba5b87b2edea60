"""The insight pages and their downloads."""

from tandem.insights.views.downloads import (
    program_section_xlsx,
    program_table_csv,
    site_section_xlsx,
    site_table_csv,
)
from tandem.insights.views.pages import program_insights, site_insights

__all__ = [
    "program_insights",
    "program_section_xlsx",
    "program_table_csv",
    "site_insights",
    "site_section_xlsx",
    "site_table_csv",
]
