"""UK English with one change: a date box (<input type="date">) is given its value as
yyyy-mm-dd, the only form a browser accepts, so a date already filled in shows instead of
an empty box. Typed dates in dd/mm/yyyy are still read. Everything else is Django's en_GB."""

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y"]
