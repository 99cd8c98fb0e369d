"""Survey analysis: pure pandas functions from the canonical response frame to tables.

Works on codes (state ``MN``, issue ``language_access``); display labels are passed in by the
caller. Charts live in ``analysis.charts`` so that importing this package stays light.
"""

from analysis.breakdowns import breakdown, filter_dates, frequency_table
from analysis.definition import frame_columns, merged_definition
from analysis.export import read_export, write_export
from analysis.read import read_responses
from analysis.stats import holm_adjust, two_proportion_test, wilson_interval
from analysis.summary import compare_groups, summary_dict, top_choices
from analysis.suppression import ALL, DEFAULT_MIN_N, suppress_table
from analysis.synthetic import synthetic_frame

__all__ = [
    "ALL",
    "DEFAULT_MIN_N",
    "breakdown",
    "compare_groups",
    "filter_dates",
    "frame_columns",
    "frequency_table",
    "holm_adjust",
    "merged_definition",
    "read_export",
    "read_responses",
    "summary_dict",
    "suppress_table",
    "synthetic_frame",
    "top_choices",
    "two_proportion_test",
    "wilson_interval",
    "write_export",
]
