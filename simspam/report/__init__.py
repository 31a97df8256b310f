"""Reports: what each kind of results says, as data, and its renderings.

Builders (``run_report``, ``compare_report``, ``sweep_report``, ``validation_report``) turn tidy
tables into a :class:`~simspam.report.model.Report`; :mod:`~simspam.report.html` renders it as
a self-contained offline page, :mod:`~simspam.report.images` exports its figures as slide
images, :mod:`~simspam.report.text` prints the commands' summaries.
"""
