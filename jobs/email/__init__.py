"""Email delivery over SMTP: settings (from the environment), composing the message, sending it."""
