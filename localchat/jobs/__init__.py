"""Background jobs on one worker thread: the `JobManager` (manager.py: submitting, reading, the
worker loop) and what each kind of job does (runs.py). The Job record is localchat/job.py."""
