"""DRF's Basic and token authentication, refusing credentials no account can have.

A NUL character in a user name or token reached the database lookup, which PostgreSQL
refuses with an error: every endpoint answered 500 to such a header, unauthenticated.
"""

from rest_framework import authentication, exceptions

from patchwork_api.validation import is_storable_text


class BasicAuthentication(authentication.BasicAuthentication):
    def authenticate_credentials(self, userid, password, request=None):
        if not (is_storable_text(userid) and is_storable_text(password)):
            raise exceptions.AuthenticationFailed("Invalid username/password.")
        return super().authenticate_credentials(userid, password, request)


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        if not is_storable_text(key):
            raise exceptions.AuthenticationFailed("Invalid token.")
        return super().authenticate_credentials(key)
