"""What a run did, for people: the run report (``OUTPUT/report.html``) and the story view
(``wire-ingest show``). Both read only the output's files, and both write HTML through one set
of autoescaping templates (``pipeline.view.page``), since everything they show came from the
input and may hold markup."""
