"""Cover letters (``[PATCH 0/N]`` mails) and their comments."""
