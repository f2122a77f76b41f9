"""The exception XML-RPC methods raise to answer with a fault."""


class XmlRpcError(Exception):
    """A failure the caller is told about as an XML-RPC fault carrying this message."""
