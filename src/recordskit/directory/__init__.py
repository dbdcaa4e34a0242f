"""The agency directory (``agencies.yaml``): loading and checking it, editing it in place, and
the volunteers' questions."""
