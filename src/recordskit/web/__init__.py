"""``recordskit serve``: a family's whole request in her browser, served from this computer.

Server-rendered pages (Starlette, Jinja2) over the library's service layer: the interview, the
request's files, "my requests", what the agency answered, the follow-up and the appeal, in
English, Spanish or Haitian Creole. Nothing is sent anywhere; the server listens on the loopback
address and serves only the browser that opened the address with its token.

The package needs the ``web`` extra (``pip install 'recordskit[web]'``); ``create_app`` in
``recordskit.web.app`` makes the application.
"""
