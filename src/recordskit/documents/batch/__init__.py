"""A clinic's batch: many request folders from one spreadsheet, in parallel.

``run.py`` is the entry (``make_batch``: check each row, hand it to the workers, write the
summaries, log the rows); ``state.py`` says what a row's folder already holds; ``worker.py``
renders a row in a worker process (the only module here that loads the renderer);
``report.py`` holds a run's results; ``spreadsheet.py`` writes the template spreadsheet. Like
every package's face, this one imports nothing.
"""
