"""Web routes beside Slack's: the WSGI app, email download and unsubscribe links, the REST API, OAuth install."""
