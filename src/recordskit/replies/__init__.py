"""Reading an agency's reply to a public records request.

``read_reply`` takes a saved email (.eml, any MIME structure) or pasted text and reports what
the reply is (its kind, or ranked candidates when unsure), its reference numbers, the receipt it
states, the dates it sets, exemptions cited, sums of money and its sender, each with the words
it rests on. It reads only; logging the reply is the caller's step.

``reader.py`` is the entry (``read_reply``, ``read_reply_file``); ``reading.py`` the result;
``mime.py`` turns an email into text within the limits; ``echo.py`` strips the request the reply
repeats; ``classify.py`` and ``extract.py`` find its kind and its facts. Like every
subpackage's face, this one imports nothing, so that importing one module loads only it.
"""
