"""Background work: the jobs and their timetable, with the rule for handing over to a waiting version
(``registry``), the scheduler (``agent``), what the headless agent runs (``jobs``), the tray's short-lived job
process (``job_process``) and its timetable (``schedule``)."""
