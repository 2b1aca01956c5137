"""Storage errors the layers above turn into messages for people."""


class StorageError(Exception):
    """Base of every storage error."""


class NameTaken(StorageError):
    """A schedule with this name already exists in the workspace."""

    def __init__(self, name: str) -> None:
        super().__init__(f"A schedule called “{name}” already exists. Pick another name.")
        self.name = name
