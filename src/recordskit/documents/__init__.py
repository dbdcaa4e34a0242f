"""Every file recordskit makes: DOCX letters and pages rendered in a sandbox, each document's
context, CSV and iCalendar exports, the email draft, sending instructions, PDFs, template checks,
and one ``make_*`` entry point per kind of document set (``make``, ``batch``)."""
