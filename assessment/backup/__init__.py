"""Full backups: every row and every stored file in one zip, restored all or nothing.

Primary keys are kept, so a restore into an empty database gives back the same
ids: links, bookmarks and the history pages keep pointing at the same rows.
The rows that ``migrate`` creates (content types, permissions) get different
ids on every machine, so they are not backed up and rows that refer to them
(group and user permissions, admin log entries) name them by natural key.

A restore checks the whole archive before it writes anything, loads every
row in one transaction, and writes the files last, inside that transaction:
if anything fails, the rows roll back and every file written is removed (a
file that was overwritten gets its old bytes back).

Where each part is: ``archive.py`` (the format, the manifest's names, what is
backed up and what is left out), ``export.py`` (backup_export), ``check.py``
(backup_check, reading the whole archive before anything is written) and
``restore.py`` (backup_restore).
"""
