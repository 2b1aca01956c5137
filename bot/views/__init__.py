"""The Block Kit the bot builds: the create/edit modal, replies to `/report`, answers in conversation."""
