"""The one exception type: a C status (number and name) and its message."""

# The statuses of include/backprop.h, by number (new codes are only ever appended there).
STATUS_NAMES = {
    0: "BP_OK", 1: "BP_ERR_NULL", 2: "BP_ERR_SIZE", 3: "BP_ERR_INDEX", 4: "BP_ERR_UNKNOWN_CATEGORY",
    5: "BP_ERR_NAN", 6: "BP_ERR_NOT_FOUND", 7: "BP_ERR_IO", 8: "BP_ERR_CORRUPT", 9: "BP_ERR_TRUNCATED",
    10: "BP_ERR_VERSION", 11: "BP_ERR_PIPELINE", 12: "BP_ERR_DATA", 13: "BP_ERR_TRAINING",
    14: "BP_ERR_OUTPUT", 15: "BP_ERR_INTERNAL", 16: "BP_ERR_PLUGINS_NOT_ALLOWED",
}
STATUS_CODES = {name: code for code, name in STATUS_NAMES.items()}


class BackpropError(Exception):
    """A failed call: `status` (the C status number), `status_name` ("BP_ERR_NAN", ...), `message`.

    Checks made in Python before calling the library use the status the library would give.
    """

    def __init__(self, status, message):
        if isinstance(status, str):
            status = STATUS_CODES[status]
        self.status = int(status)
        self.status_name = STATUS_NAMES.get(self.status, "BP_UNKNOWN_STATUS")
        self.message = message
        super().__init__(f"{self.status_name}: {message}")
