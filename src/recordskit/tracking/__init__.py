"""Following a request after it is sent: the request log, and recording what happened."""
