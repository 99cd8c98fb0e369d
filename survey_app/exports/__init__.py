"""Files people download: the responses (`responses.py` reads them from the database, one row per
response), the summary tables as the report pages publish them (`summary.py`), written by one CSV and
one XLSX writer (`writers.py`), SPSS and Stata files through pyreadstat (`stat_files.py`), and sent as
streamed attachments (`downloads.py`). Staff and partner downloads, and the `export` command, all use them."""
