"""The assistance clearinghouse: requests, offers, matching, judgements, projects (milestones,
deliveries, feedback) and funding. `actions/` writes, `reads/` reads, `shapes` maps rows to
wire shapes, `rules` says who may do what, `matching` ranks offers (docs/assistance.md)."""
