"""Dates: business-day calendars, the event vocabulary, a new request's schedule, a logged
request's timeline, and the appeal window and grounds. Every number comes from the law table."""
