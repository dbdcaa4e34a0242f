"""Getting a request in: the interview and its terminal form, answers files, clinic batch rows,
and the privacy guard that checks what people wrote."""
