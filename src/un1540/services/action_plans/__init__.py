"""National implementation action plans (docs/action-plans.md): `actions` writes, `reads`
reads, `progress` computes what the approved matrix shows for each measure, `shapes` maps rows
to wire shapes, `rules` says who may do what, `validation` checks input, `notices` tells of
overdue milestones (a notification topic, and the job that checks on a given day)."""
