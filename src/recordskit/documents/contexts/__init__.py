"""What each template receives, one module per document beside its name in ``letter_templates/``:
``letter`` (request.docx, student_records.docx), ``followup`` (follow_up.docx,
student_follow_up.docx), ``appeal`` (appeal.docx, appeal_cover.docx, the checklist),
``schedule_page`` (schedule.docx), ``summary`` (summary.docx) and ``companion`` (the family's
summary.docx beside a follow-up or an appeal), with the words they share (``family_words``) and a
realistic sample of each (``samples``, what ``templates check`` renders)."""
