"""Project package: settings, URL routing, WSGI entry point and the shared API plumbing."""
