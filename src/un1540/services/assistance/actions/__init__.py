"""The clearinghouse's writes: each one an `@action` that validates, audits, commits and queues
its effects (kernel/unit_of_work.py); the doors only parse, call and render."""
