"""The named errors Flowgauge raises for user-facing problems; the CLI and pages turn them into messages."""


class FlowgaugeError(Exception):
    """A problem the user can act on; str(error) is the one-line message shown to them."""


class BadOption(FlowgaugeError):
    """A command-line value the command cannot use (an unknown team, say): a usage error, exit status 2."""


class SnapshotError(FlowgaugeError):
    """A snapshot file cannot be opened or used."""


class SnapshotNotFound(SnapshotError):
    """The snapshot path does not exist."""


class NotASnapshot(SnapshotError):
    """The file exists but is not a Flowgauge snapshot."""


class SchemaMismatch(SnapshotError):
    """The snapshot follows a schema version this Flowgauge cannot read as it is."""


class SnapshotBusy(SnapshotError):
    """Another load is writing the same snapshot."""


class SnapshotWriteFailed(SnapshotError):
    """The disk refused a snapshot write (full, read-only, no permission); the snapshot on disk is unchanged."""


class LoaderError(FlowgaugeError):
    """A source could not be read."""
