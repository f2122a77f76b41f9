"""Series: the patches (and cover letter) of one posting, and their references."""
