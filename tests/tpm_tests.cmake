# vTPM tests (issue #6).
