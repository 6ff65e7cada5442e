"""The C++ run's limits: the job's caps (CHANNEL.md's job fields, with their defaults) and runner.py's own."""

MAX_SAFE = (1 << 53) - 1   # larger integers become {"sp": "bigint"}: the server's JSON readers are IEEE doubles
DIAG_CAP = 8192            # compiler diagnostics kept in the CompileError message (bytes)
VIZ_LINE_CAP = 1 << 20     # a longer line on the viz pipe is malformed
READ_CHUNK = 1 << 16
FLUSH_S = 0.02


def job_int(job, name, default, lo=0):
    """The job's integer `name`, or `default` when it is missing, not an integer (bools are not) or below `lo`."""
    v = job.get(name, default)
    return v if isinstance(v, int) and not isinstance(v, bool) and v >= lo else default


class Limits:
    """The caps one job sets, read once so that the per-record code reads attributes, not the job."""
    __slots__ = ("max_steps", "max_out", "max_items", "max_string", "keyframe_every", "batch")

    def __init__(self, job):
        self.max_steps = job_int(job, "maxSteps", 1000000)
        self.max_out = job_int(job, "maxOutputBytes", 1048576)
        self.max_items = job_int(job, "maxItems", 100)
        self.max_string = job_int(job, "maxString", 1000)
        self.keyframe_every = job_int(job, "keyframeEvery", 1000, 1)
        self.batch = job_int(job, "batchSteps", 512, 1)
        if job.get("full", False):   # full mode: every step is a keyframe
            self.keyframe_every = 1
