"""Turning a context into a file: the sandboxed DOCX renderer (``render``), a DOCX's safety
check (``package``), its text (``docx_text``) and PDFs by LibreOffice (``pdf``)."""
