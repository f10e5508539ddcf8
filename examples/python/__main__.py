"""A DLI Flink job set from Python, through the pulumi-jobsets provider plugin.

Generate the SDK first: `pulumi package add ../..` (see README.md). Credentials and the project ID come
from the stack config (`jobsets:accessKey`, ...) or the HW_* environment, never from resource arguments.
"""

import pulumi
import pulumi_jobsets as jobsets

streams = jobsets.dli.FlinkJobSet(
    "streams",
    # Your DLI Flink job IDs, as strings of digits (IDs are Longs: exact as strings, not as numbers).
    job_ids=["268435", "268436"],
    region="cn-north-4",
    # One of "delete" (default), "stop", "stop-then-delete" (the schema's jobsets.TeardownMode enum).
    teardown="stop-then-delete",
    trigger_savepoint=True,
    wait_timeout_seconds=1800,
)

pulumi.export("job_ids", streams.job_ids)
pulumi.export("endpoint", streams.endpoint)
