"""People (mail senders), user profiles and API tokens."""
