"""Background work: the scheduler (``agent``), the jobs it runs (``jobs``), the tray's short-lived job process
(``job_process``) and its timetable (``schedule``)."""
