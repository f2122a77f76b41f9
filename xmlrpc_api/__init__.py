"""The XML-RPC endpoint at /xmlrpc/ that pwclient's default backend talks to."""
